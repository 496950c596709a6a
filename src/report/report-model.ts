// Owns building the report model that report.md, report.html, tables/*.csv and charts/*.png
// all render: discovers runs, streams their requests.jsonl and metrics.jsonl once each,
// analyses them and lays out tables and charts. Renderers only read this model.

import { parseSlo, type SloTerm } from "../config/units.js";
import { analyzeRun, type RunAnalysis, type SloEvaluation } from "./analysis.js";
import { analyzeWarnings } from "./analysis-warnings.js";
import { paretoChart, perGpuParetoCharts, throughputAcrossRuns } from "./cross-charts.js";
import { fastestFindings, pairwiseFindings } from "./cross-analysis.js";
import { cellObservations, cellTable, configurationTable, engineComparisonTable, pairwiseTable, pickBaseline } from "./cross-tables.js";
import { discoverRuns, primaryDimensions, type DiscoveredRun } from "./discover.js";
import { overviewCharts, sectionCharts } from "./matrix-charts.js";
import { collectWarnings, dimensionEffects, effectFindings, errorFinding, matrixSentence } from "./matrix-findings.js";
import { buildMatrixLayout, type MatrixLayout, type MatrixSection } from "./matrix-layout.js";
import { attributeTable, sectionObservations, sectionTable, sideTable } from "./matrix-tables.js";
import { BenchError } from "../errors.js";
import { digestRequests } from "./digest-parallel.js";
import type { RunDigest } from "./request-digest.js";
import { runCharts, type ChartEntry } from "./run-charts.js";
import { costTable, errorTable, latencyTable, perLevelTable, prefixCacheTable, sweepTable, turnSplitTable } from "./seed-tables.js";
import type { Table } from "./table.js";
import { readTelemetry, type TelemetrySeries } from "./telemetry-series.js";

export interface ReportOptions {
  /** Run or plan directories (scanned recursively for summary.json). */
  paths: readonly string[];
  /** Goodput objective for the analysis; default: each run's own --slo. */
  slo?: string;
  /** Share of requests that must meet the SLO for a level to pass, 0..1 (default 0.9). */
  sloAttainment?: number;
  /** Run label, cell id or `dim=value` that ratios are taken against. */
  baseline?: string;
  title?: string;
}

export interface ReportRun {
  run: DiscoveredRun;
  digest: RunDigest | null;
  telemetry: TelemetrySeries | null;
  sloText: string | null;
  analysis: RunAnalysis;
  warnings: string[];
  tables: Table[];
  charts: ChartEntry[];
}

export interface MatrixSectionReport {
  section: MatrixSection;
  tables: Table[];
  charts: ChartEntry[];
  observations: string[];
}

/** Two or more runs laid out by their plan's dimensions (seed 003): one analysis, then sections. */
export interface MatrixReport {
  layout: MatrixLayout;
  /** The matrix in one sentence. */
  summary: string;
  /** Each kind of warning once, with the cells it hit. */
  warnings: string[];
  /** What each cell ran beyond its name (the plan's include keys), or null. */
  settings: Table | null;
  /** One chart per metric with a panel per section (none with one section). */
  charts: ChartEntry[];
  sections: MatrixSectionReport[];
}

export interface ReportModel {
  title: string;
  runs: ReportRun[];
  matrix: MatrixReport | null;
  crossFindings: string[];
  crossTables: Table[];
  crossCharts: ChartEntry[];
  errors: Table | null;
  sloAttainment: number;
}

function sloFor(run: DiscoveredRun, override: SloTerm[] | null, overrideText: string | null): { terms: SloTerm[] | null; text: string | null } {
  if (override) return { terms: override, text: overrideText };
  const own = run.summary.run.slo;
  if (!own) return { terms: null, text: null };
  try {
    return { terms: parseSlo(own, "summary.json run.slo"), text: own };
  } catch {
    return { terms: null, text: null };
  }
}

function goodByLevel(run: DiscoveredRun, digest: RunDigest | null, sloText: string): Map<number, { good: number; measured: number }> {
  const out = new Map<number, { good: number; measured: number }>();
  for (const l of run.summary.levels) {
    const d = digest?.levels.get(l.level);
    if (d && d.good !== null) out.set(l.level, { good: d.good, measured: d.measured });
    else if (l.goodput && l.goodput.slo === sloText) out.set(l.level, { good: l.goodput.good, measured: l.requests.sent });
  }
  return out;
}

async function buildRun(run: DiscoveredRun, index: number, options: ReportOptions, override: SloTerm[] | null): Promise<ReportRun> {
  const slo = sloFor(run, override, options.slo ?? null);
  const digest = run.requestsPath ? await digestRequests(run.requestsPath, slo.terms) : null;
  const telemetry = run.metricsPath ? await readTelemetry(run.metricsPath) : null;
  const attainment = options.sloAttainment ?? 0.9;
  const evaluation: SloEvaluation | null = slo.text === null ? null : { text: slo.text, attainment, goodByLevel: goodByLevel(run, digest, slo.text) };
  const analysis = analyzeRun(run.summary.levels, { slo: evaluation });
  const warnings = analyzeWarnings(run.summary.levels, { run: run.summary.run, malformedLines: digest?.malformedLines ?? 0 });
  const tables: Table[] = [perLevelTable(run)];
  if (run.summary.levels.some((l) => l.ttft_ms || l.e2e_ms)) tables.push(latencyTable(run));
  if (run.summary.levels.length > 1) tables.push(sweepTable(run));
  for (const extra of [costTable(run), prefixCacheTable(run), turnSplitTable(run)]) if (extra !== undefined) tables.push(extra);
  return { run, digest, telemetry, sloText: slo.text, analysis, warnings, tables, charts: runCharts(run, index, digest, telemetry) };
}

function crossSection(runs: DiscoveredRun[], layout: MatrixLayout, baselineOption: string | undefined): Pick<ReportModel, "crossFindings" | "crossTables" | "crossCharts"> {
  const crossTables: Table[] = [];
  const crossCharts: ChartEntry[] = [];
  const crossFindings: string[] = [];
  const pareto = paretoChart(runs);
  if (pareto) crossCharts.push(pareto);
  crossCharts.push(...perGpuParetoCharts(runs));
  const baseline = pickBaseline(runs, baselineOption);
  if (!baseline) throw new BenchError("E_BAD_FLAG", `--baseline: no run labelled or matching "${baselineOption ?? ""}"`, { where: "--baseline" });
  crossFindings.push(...fastestFindings(runs));
  const effects = dimensionEffects(layout, runs);
  crossTables.push(configurationTable(runs), engineComparisonTable(runs, baseline));
  const cells = cellTable(runs);
  cells.notes = cellObservations(runs);
  crossTables.push(cells);
  const baseDim = baselineOption?.includes("=") ? baselineOption.slice(0, baselineOption.indexOf("=")) : undefined;
  const pairwise: string[] = [];
  for (const dim of primaryDimensions(runs)) {
    const values = [...new Set(runs.map((r) => r.dimensions[dim]).filter((v): v is string => v !== undefined))].sort();
    if (values.length !== 2 && dim !== baseDim) continue;
    const a = dim === baseDim ? (baseline.dimensions[dim] as string) : (values[0] as string);
    for (const b of values.filter((v) => v !== a)) {
      const result = pairwiseTable(runs, dim, a, b);
      if (!result) continue;
      crossTables.push(result.table);
      pairwise.push(...pairwiseFindings(result));
    }
  }
  // Dimensions by how much they matter; a two-valued one keeps its signed "B vs A" sentence.
  const ranked = effectFindings(effects);
  if (ranked[0]) crossFindings.push(ranked[0]);
  for (const e of effects) {
    const signed = pairwise.find((f) => f.startsWith(`${e.dimension} = `));
    if (signed) crossFindings.push(signed);
    else crossFindings.push(...ranked.filter((f) => f.startsWith(`${e.dimension}: `)));
  }
  crossFindings.push(...pairwise.filter((f) => !crossFindings.includes(f)));
  crossFindings.push(errorFinding(runs));
  const across = throughputAcrossRuns(runs);
  if (across) crossCharts.push(across);
  return { crossFindings, crossTables, crossCharts };
}

function matrixReport(layout: MatrixLayout, runs: readonly ReportRun[]): MatrixReport {
  const plain = runs.map((r) => r.run);
  const sections = layout.sections.map((section): MatrixSectionReport => {
    const side = sideTable(layout, section);
    return { section, tables: [sectionTable(layout, section), ...(side ? [side] : [])], charts: sectionCharts(layout, section), observations: sectionObservations(layout, section) };
  });
  return {
    layout,
    summary: matrixSentence(layout, plain),
    warnings: collectWarnings(runs.map((r) => ({ label: r.run.label, warnings: r.warnings }))),
    settings: attributeTable(layout, plain),
    charts: overviewCharts(layout),
    sections,
  };
}

/**
 * Reads every run under `options.paths` and builds the report model.
 * @example const model = await buildReportModel({ paths: ["results/plan"], slo: "ttft_ms<=500" });
 */
export async function buildReportModel(options: ReportOptions): Promise<ReportModel> {
  const override = options.slo === undefined ? null : parseSlo(options.slo, "--slo");
  const attainment = options.sloAttainment ?? 0.9;
  if (!(attainment > 0 && attainment <= 1)) throw new BenchError("E_BAD_FLAG", "--slo-attainment: expected a percentage in (0, 100]", { where: "--slo-attainment" });
  const runs = discoverRuns(options.paths);
  const reportRuns: ReportRun[] = [];
  // One run at a time: each streams its own files, so memory stays bounded by one digest.
  for (const [i, run] of runs.entries()) reportRuns.push(await buildRun(run, i, options, override));
  const only = reportRuns.length === 1 ? reportRuns[0] : undefined;
  const pareto = only ? paretoChart(runs) : null;
  // A single run's trade-off curve sits with its other charts, after throughput vs load.
  if (only && pareto) only.charts.splice(Math.min(2, only.charts.length), 0, pareto);
  if (only) only.charts.push(...perGpuParetoCharts(runs));
  const errors = errorTable(runs, (run, level, code) => reportRuns.find((r) => r.run === run)?.digest?.levels.get(level)?.errorExamples[code]);
  const plans = [...new Set(runs.map((r) => r.planName))];
  const planTitle = plans.length === 1 && plans[0] ? `servebench report: plan ${plans[0]}, ${runs.length} cells` : `servebench report: ${runs.length} runs`;
  const title = options.title ?? (runs.length === 1 ? `servebench report: ${runs[0]?.label ?? ""}` : planTitle);
  const layout = runs.length >= 2 ? buildMatrixLayout(runs, options.baseline) : null;
  const cross = layout ? crossSection(runs, layout, options.baseline) : { crossFindings: [], crossTables: [], crossCharts: [] };
  const matrix = layout ? matrixReport(layout, reportRuns) : null;
  return { title, runs: reportRuns, matrix, ...cross, errors, sloAttainment: attainment };
}
