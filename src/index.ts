// Public library API (re-exports only).

export { runBenchmark, type RunHooks, type RunResult } from "./run/run-benchmark.js";
export type { ProgressEvent, ProgressListener } from "./run/progress.js";
export { runConfigSchema, type RunConfig, type RunConfigInput } from "./config/run-config.js";
export { resolveRunConfig } from "./config/resolve-run-config.js";
export { BenchError, isBenchError, type BenchErrorCode } from "./errors.js";
export type { RequestRecord, Outcome } from "./client/record.js";
export type { LevelSummary, FlatDistribution } from "./metrics/level.js";
export { SUMMARY_SCHEMA, type RunSummary, type RunInfo, type SimulatorInfo } from "./results/run-summary.js";
export { parseSummary } from "./results/summary-schema.js";
export { encodeRecord, parseRecordLine, RECORD_VERSION } from "./results/request-record.js";
export { forEachRequestRecord } from "./report/record-reader.js";
export { startSimulator } from "./sim/index.js";
export {
  loadPlanFile,
  loadPlanText,
  runPlan,
  planJsonSchema,
  PlanError,
  type LoadedPlan,
  type PlanEvent,
  type PlanRunResult,
  type RunPlanOptions,
} from "./plan/index.js";
export { generateReport, type GenerateReportOptions, type GenerateReportResult } from "./report/generate-report.js";
export { compareRuns, type Comparison } from "./report/compare.js";
export { importExternal } from "./report/import-external.js";
