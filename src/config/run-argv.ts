// Owns writing a RunConfigInput back as `servebench run` flags: the inverse of cli/run-flags.ts,
// for commands that start runs elsewhere (a plan's cells as Kubernetes Jobs). One entry per config
// field (the simulator's too), so a new field fails to compile here until it has a flag.

import { formatLengthDist, type LengthDist } from "./length-dist.js";
import type { RunConfigInput } from "./run-config.js";
import { formatSlo, type SloTerm } from "./units.js";

type Field = keyof RunConfigInput;
type Writer<K extends Field> = (value: NonNullable<RunConfigInput[K]>) => string[];

const text =
  (flag: string) =>
  (v: string | number): string[] => [flag, String(v)];
const ms =
  (flag: string) =>
  (v: number): string[] => [flag, `${v}ms`];
const list =
  (flag: string) =>
  (v: readonly number[]): string[] => [flag, v.join(",")];
const dist =
  (flag: string) =>
  (v: LengthDist | string): string[] => [flag, typeof v === "string" ? v : formatLengthDist(v)];
const on =
  (flag: string) =>
  (v: boolean): string[] =>
    v ? [flag] : [];
const off =
  (flag: string) =>
  (v: boolean): string[] =>
    v ? [] : [flag];

type SimInput = NonNullable<RunConfigInput["sim"]>;
type SimField = keyof SimInput;
/** The embedded simulator's settings as `run` spells them (--sim-<name>). */
const simText =
  (name: string) =>
  (v: string | number): string[] => [`--sim-${name}`, String(v)];

const SIM_WRITERS: { [K in SimField]-?: (value: NonNullable<SimInput[K]>) => string[] } = {
  timing: simText("timing"),
  ttftMs: simText("ttft-ms"),
  perTokenMs: simText("per-token-ms"),
  batchSlowdown: simText("batch-slowdown"),
  model: simText("model"),
  trace: simText("trace"),
  maxNumSeqs: simText("max-num-seqs"),
  gpu: simText("gpu"),
  modelConfig: simText("model-config"),
  dtype: simText("dtype"),
  kvDtype: simText("kv-dtype"),
  tp: simText("tp"),
  pp: simText("pp"),
  maxModelLen: simText("max-model-len"),
  gpuMemoryUtilization: simText("gpu-memory-utilization"),
  maxNumBatchedTokens: simText("max-num-batched-tokens"),
  kvCacheBlocks: simText("kv-cache-blocks"),
  prefixCaching: (v) => (v ? [] : ["--no-sim-prefix-caching"]),
  enforceEager: (v) => (v ? ["--sim-enforce-eager"] : []),
  specTokens: simText("spec-tokens"),
  specAcceptance: simText("spec-acceptance"),
  specDraftModel: simText("spec-draft-model"),
  profile: simText("profile"),
  dialect: simText("dialect"),
  faults: simText("faults"),
  reasoningTokens: simText("reasoning-tokens"),
};

/** Every field, in the order flags are written. */
const WRITERS: { [K in Field]-?: Writer<K> } = {
  url: text("--url"),
  model: text("--model"),
  tokenizer: text("--tokenizer"),
  endpoint: text("--endpoint"),
  inputTokens: text("--input-tokens"),
  outputTokens: text("--output-tokens"),
  exactOutput: off("--no-exact-output"),
  strict: on("--strict"),
  sharedPrefixTokens: text("--shared-prefix-tokens"),
  prompt: text("--prompt"),
  dataset: text("--dataset"),
  datasetFormat: text("--dataset-format"),
  datasetSample: text("--dataset-sample"),
  inputDist: dist("--input-dist"),
  outputDist: dist("--output-dist"),
  prefixGroups: text("--prefix-groups"),
  prefixTokens: text("--prefix-tokens"),
  suffixTokens: text("--suffix-tokens"),
  turns: text("--turns"),
  thinkTimeMs: ms("--think-time"),
  chatTemplate: text("--chat-template"),
  trace: text("--trace"),
  traceFormat: text("--trace-format"),
  timeScale: text("--time-scale"),
  traceBlockTokens: text("--trace-block-tokens"),
  concurrency: list("--concurrency"),
  rate: list("--rate"),
  arrival: text("--arrival"),
  burstiness: text("--burstiness"),
  maxConcurrency: text("--max-concurrency"),
  profile: text("--profile"),
  rampMs: ms("--ramp"),
  sweepRates: text("--sweep-rates"),
  sweepMaxConcurrency: text("--sweep-max-concurrency"),
  sloSearchBy: text("--slo-search-by"),
  sloTolerance: text("--slo-tolerance"),
  sloMaxLevels: text("--slo-max-levels"),
  sloStart: text("--slo-start"),
  maxErrorRate: text("--max-error-rate"),
  stopOnSaturation: (v) => [v ? "--stop-on-saturation" : "--no-stop-on-saturation"],
  requests: (v) => ["--requests", v.kind === "count" ? String(v.n) : `${v.factor}x`],
  durationMs: ms("--duration"),
  warmup: text("--warmup"),
  timeoutMs: ms("--timeout"),
  slo: (v) => (v.length === 0 ? [] : ["--slo", formatSlo(v as SloTerm[])]),
  percentiles: list("--percentiles"),
  seed: text("--seed"),
  workers: text("--workers"),
  shard: (v) => ["--shard", `${v.index}/${v.count}`],
  startAtEpochMs: text("--start-at"),
  barrierDir: text("--barrier-dir"),
  barrierTimeoutMs: ms("--barrier-timeout"),
  barrierMarginMs: ms("--barrier-margin"),
  levelGapMs: ms("--level-gap"),
  maxEventBytes: text("--max-event-size"),
  out: text("--out"),
  apiKeyEnv: text("--api-key-env"),
  extraBody: (v) => ["--extra-body", JSON.stringify(v)],
  clientTokenCheck: off("--no-client-token-check"),
  metricsUrl: text("--metrics-url"),
  metrics: off("--no-metrics"),
  metricsIntervalMs: ms("--metrics-interval"),
  // 0 is the default (no wait), and --wait-ready takes only positive durations.
  waitReadyMs: (v) => (v > 0 ? ["--wait-ready", `${v}ms`] : []),
  serverCmd: text("--server-cmd"),
  gpuInfoCmd: text("--gpu-info-cmd"),
  gpuHourlyCostUsd: text("--gpu-hourly-cost"),
  power: text("--power"),
  cancelRate: text("--cancel-rate"),
  cancelAfter: (v) => ["--cancel-after", v.kind === "ms" ? `${v.ms}ms` : `${v.tokens}tokens`],
  gpuCount: text("--gpu-count"),
  sim: (v) => {
    const args: string[] = [];
    for (const key of Object.keys(SIM_WRITERS) as SimField[]) {
      const value = v[key];
      if (value !== undefined) args.push(...(SIM_WRITERS[key] as (x: unknown) => string[])(value));
    }
    return args;
  },
};

/**
 * The `servebench run` flags that give this configuration (fields left out keep their defaults).
 *
 * @example runArgsFromConfig({ url: "http://vllm:8000", concurrency: [1, 8], durationMs: 60_000 })
 * // ["--url", "http://vllm:8000", "--concurrency", "1,8", "--duration", "60000ms"]
 */
export function runArgsFromConfig(input: RunConfigInput): string[] {
  const args: string[] = [];
  for (const key of Object.keys(WRITERS) as Field[]) {
    const value = input[key];
    if (value === undefined) continue;
    args.push(...(WRITERS[key] as (v: unknown) => string[])(value));
  }
  return args;
}
