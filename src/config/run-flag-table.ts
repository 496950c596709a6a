// Owns the one table of `run`'s flags: per config field its flag, value placeholder, help, help
// group, parser, choices, the commands it applies to and its argv writer. The CLI registers and
// parses flags from it (cli/run-flags.ts, which also shows each default as the schema gives it),
// docs/cli.md and --help group by it, predict refuses its run-only rows, config errors name its
// flags, and k8s/--distributed write shard argv with it; a new field fails to compile until it has a row.

import { formatLengthDist, parseLengthDist, type LengthDist } from "./length-dist.js";
import {
  parseCancelAfter,
  parseExtraBody,
  parseFraction,
  parseNonNegativeDurationMs,
  parsePowerFlag,
  parseShardFlag,
  resolveWorkerCount,
} from "./flag-values.js";
import type { RunConfigInput } from "./run-config.js";
import {
  formatSlo,
  parseByteSize,
  parseDurationMs,
  parseList,
  parseNonNegativeInt,
  parsePositiveInt,
  parsePositiveNumber,
  parseRequestCount,
  parseSlo,
  type SloTerm,
} from "./units.js";
import { availableParallelism } from "node:os";

export const FLAG_GROUPS = ["Target", "Workload", "Load", "Outputs", "Telemetry", "Simulator", "Scale"] as const;
export type FlagGroup = (typeof FLAG_GROUPS)[number];

export type Field = keyof RunConfigInput;
type Value<K extends Field> = NonNullable<RunConfigInput[K]>;

/** How a flag takes its value: `<arg>` parsed by `parse`, or a switch (on: --x sets true; off: --no-x sets false; both). */
export type FlagKind = "value" | "on" | "off" | "both";

export interface FlagRow<K extends Field> {
  flag: string;
  kind: FlagKind;
  /** Value placeholder in help, e.g. "<n>" (value flags). */
  arg?: string;
  help: string;
  group: FlagGroup;
  choices?: readonly string[];
  parse?: (value: string, flag: string) => Value<K>;
  /** argv that gives this value back (the inverse of parse). */
  write: (value: Value<K>) => string[];
  /** Shown as the default in help when the schema has none (a default computed at run time). */
  defaultText?: string;
  /** Why `predict` refuses it: a flag about real processes and clocks. */
  runOnly?: string;
  /** Set per shard by servebench: by `--distributed` and `k8s` ("always"), or by `k8s` only (a `--distributed` run takes the user's). */
  perShard?: "always" | "k8s";
  /** The simulator's settings: registered by the simulator's own table (cli/sim-flags.ts), written here. */
  external?: true;
}

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
const same = <T extends string>(v: string): T => v as T;
const str = (v: string): string => v;

type SimInput = NonNullable<RunConfigInput["sim"]>;
type SimField = keyof SimInput;
const simText =
  (name: string) =>
  (v: string | number): string[] => [`--sim-${name}`, String(v)];

/** The embedded simulator's settings as `run` spells them (--sim-<name>). */
export const SIM_FLAG_WRITERS: { [K in SimField]-?: (value: NonNullable<SimInput[K]>) => string[] } = {
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
  coldStartMs: (v) => (v > 0 ? ["--sim-cold-start", `${v}ms`] : []),
  dialect: simText("dialect"),
  faults: simText("faults"),
  reasoningTokens: simText("reasoning-tokens"),
};

const VIRTUAL = "a prediction runs in one process, in virtual time";

/** Every field of RunConfigInput, in help order within each group. */
export const RUN_FLAGS: { [K in Field]-?: FlagRow<K> } = {
  url: {
    flag: "--url",
    kind: "value",
    arg: "<url>",
    group: "Target",
    help: "target server base URL",
    defaultText: "start the embedded simulator",
    parse: str,
    runOnly: "predict simulates the target; measure a real server with run",
    write: text("--url"),
  },
  model: {
    flag: "--model",
    kind: "value",
    arg: "<name>",
    group: "Target",
    help: "model name to request",
    defaultText: "first id from GET /v1/models",
    parse: str,
    write: text("--model"),
  },
  endpoint: {
    flag: "--endpoint",
    kind: "value",
    arg: "<kind>",
    group: "Target",
    help: "API to call",
    choices: ["completions", "chat", "embeddings", "responses"],
    parse: same,
    write: text("--endpoint"),
  },
  apiKeyEnv: {
    flag: "--api-key-env",
    kind: "value",
    arg: "<NAME>",
    group: "Target",
    help: "environment variable holding the API key",
    parse: str,
    runOnly: "the simulated server asks for no key",
    write: text("--api-key-env"),
  },
  extraBody: {
    flag: "--extra-body",
    kind: "value",
    arg: "<json>",
    group: "Target",
    help: "merge these JSON fields into every request body, e.g. '{\"cache_prompt\":false}' (llama.cpp)",
    parse: parseExtraBody,
    write: (v) => ["--extra-body", JSON.stringify(v)],
  },
  waitReadyMs: {
    flag: "--wait-ready",
    kind: "value",
    arg: "<time>",
    group: "Target",
    help: "wait up to this long for /health and /v1/models before starting",
    defaultText: "no wait",
    parse: parseDurationMs,
    // 0 is the default (no wait), and --wait-ready takes only positive durations.
    runOnly: "predict starts its own simulated server, ready at once",
    write: (v) => (v > 0 ? ["--wait-ready", `${v}ms`] : []),
  },
  timeoutMs: { flag: "--timeout", kind: "value", arg: "<time>", group: "Target", help: "per-request timeout", parse: parseDurationMs, write: ms("--timeout") },
  maxEventBytes: {
    flag: "--max-event-size",
    kind: "value",
    arg: "<size>",
    group: "Target",
    help: "largest SSE line or event accepted from the server, e.g. 4MiB; larger fails the request as sse_too_large",
    parse: parseByteSize,
    write: text("--max-event-size"),
  },
  tokenizer: {
    flag: "--tokenizer",
    kind: "value",
    arg: "<dir|file|hf-id>",
    group: "Workload",
    help: "tokenizer.json dir/file or HF model id in the local cache",
    defaultText: "bundled Qwen3",
    parse: str,
    write: text("--tokenizer"),
  },
  inputTokens: {
    flag: "--input-tokens",
    kind: "value",
    arg: "<n>",
    group: "Workload",
    help: "exact prompt length in tokens for synthetic prompts",
    parse: parsePositiveInt,
    write: text("--input-tokens"),
  },
  outputTokens: {
    flag: "--output-tokens",
    kind: "value",
    arg: "<n>",
    group: "Workload",
    help: "exact completion length in tokens",
    parse: parsePositiveInt,
    write: text("--output-tokens"),
  },
  exactOutput: {
    flag: "--no-exact-output",
    kind: "off",
    group: "Workload",
    help: "do not send min_tokens/ignore_eos; let the model stop on EOS",
    write: (v) => (v ? [] : ["--no-exact-output"]),
  },
  sharedPrefixTokens: {
    flag: "--shared-prefix-tokens",
    kind: "value",
    arg: "<n>",
    group: "Workload",
    help: "make all prompts share their first N tokens (prefix-cache studies)",
    parse: parseNonNegativeInt,
    write: text("--shared-prefix-tokens"),
  },
  prompt: {
    flag: "--prompt",
    kind: "value",
    arg: "<text>",
    group: "Workload",
    help: "send this fixed prompt for every request",
    parse: str,
    write: text("--prompt"),
  },
  dataset: {
    flag: "--dataset",
    kind: "value",
    arg: "<file>",
    group: "Workload",
    help: "prompts from a ShareGPT JSON, JSON array, JSONL or CSV file (`prompt` or `messages`, optional output_tokens)",
    parse: str,
    write: text("--dataset"),
  },
  datasetFormat: {
    flag: "--dataset-format",
    kind: "value",
    arg: "<kind>",
    group: "Workload",
    help: "dataset format (auto: by extension, then content)",
    choices: ["auto", "sharegpt", "json", "jsonl", "csv"],
    parse: same,
    write: text("--dataset-format"),
  },
  datasetSample: {
    flag: "--dataset-sample",
    kind: "value",
    arg: "<n>",
    group: "Workload",
    help: "use N dataset rows chosen by a seeded shuffle (--seed)",
    parse: parsePositiveInt,
    write: text("--dataset-sample"),
  },
  inputDist: {
    flag: "--input-dist",
    kind: "value",
    arg: "<spec>",
    group: "Workload",
    help: "input lengths: 512, uniform:min=128,max=1024, normal:mean=512,std=128, lognormal:mean=512,sigma=0.5, hist:file.csv",
    parse: parseLengthDist,
    write: dist("--input-dist"),
  },
  outputDist: {
    flag: "--output-dist",
    kind: "value",
    arg: "<spec>",
    group: "Workload",
    help: "output lengths, same syntax as --input-dist",
    parse: parseLengthDist,
    write: dist("--output-dist"),
  },
  prefixGroups: {
    flag: "--prefix-groups",
    kind: "value",
    arg: "<n>",
    group: "Workload",
    help: "G groups of requests, each sharing a system prompt of --prefix-tokens (prefix-cache studies)",
    parse: parsePositiveInt,
    write: text("--prefix-groups"),
  },
  prefixTokens: {
    flag: "--prefix-tokens",
    kind: "value",
    arg: "<n>",
    group: "Workload",
    help: "tokens of each group's shared prefix",
    parse: parsePositiveInt,
    write: text("--prefix-tokens"),
  },
  suffixTokens: {
    flag: "--suffix-tokens",
    kind: "value",
    arg: "<n>",
    group: "Workload",
    help: "unique tokens per request after the prefix",
    defaultText: "--input-tokens is the total",
    parse: parsePositiveInt,
    write: text("--suffix-tokens"),
  },
  turns: {
    flag: "--turns",
    kind: "value",
    arg: "<n>",
    group: "Workload",
    help: "multi-turn sessions of N turns (chat): each turn sends the history with the answers received",
    parse: parsePositiveInt,
    write: text("--turns"),
  },
  thinkTimeMs: {
    flag: "--think-time",
    kind: "value",
    arg: "<time>",
    group: "Workload",
    help: "pause between a turn's answer and the next turn",
    parse: parseNonNegativeDurationMs,
    write: ms("--think-time"),
  },
  chatTemplate: {
    flag: "--chat-template",
    kind: "value",
    arg: "<how>",
    group: "Workload",
    help: "count chat prompt tokens with the server's /tokenize, the tokenizer's chat_template, or contents only",
    choices: ["auto", "tokenizer", "server", "none"],
    parse: same,
    write: text("--chat-template"),
  },
  trace: {
    flag: "--trace",
    kind: "value",
    arg: "<file>",
    group: "Workload",
    help: "replay arrival times and lengths from a trace (servebench JSONL, Mooncake JSONL, BurstGPT CSV)",
    parse: str,
    write: text("--trace"),
  },
  traceFormat: {
    flag: "--trace-format",
    kind: "value",
    arg: "<kind>",
    group: "Workload",
    help: "trace format (auto: detected)",
    choices: ["auto", "servebench", "mooncake", "burstgpt"],
    parse: same,
    write: text("--trace-format"),
  },
  timeScale: {
    flag: "--time-scale",
    kind: "value",
    arg: "<x>",
    group: "Workload",
    help: "multiply trace timestamps by x (0.5 = twice as fast)",
    parse: parsePositiveNumber,
    write: text("--time-scale"),
  },
  traceBlockTokens: {
    flag: "--trace-block-tokens",
    kind: "value",
    arg: "<n>",
    group: "Workload",
    help: "tokens per block of a Mooncake trace's hash_ids: requests sharing leading ids share that prefix",
    parse: parsePositiveInt,
    write: text("--trace-block-tokens"),
  },
  seed: {
    flag: "--seed",
    kind: "value",
    arg: "<n>",
    group: "Workload",
    help: "seed for prompts and arrivals",
    parse: parseNonNegativeInt,
    write: text("--seed"),
  },
  concurrency: {
    flag: "--concurrency",
    kind: "value",
    arg: "<list>",
    group: "Load",
    help: "closed loop: comma-separated concurrency levels",
    defaultText: "1,4,16,32",
    parse: (v, f) => parseList(v, f, parsePositiveInt),
    write: list("--concurrency"),
  },
  rate: {
    flag: "--rate",
    kind: "value",
    arg: "<list>",
    group: "Load",
    help: "open loop: comma-separated request rates in req/s",
    parse: (v, f) => parseList(v, f, parsePositiveNumber),
    write: list("--rate"),
  },
  arrival: {
    flag: "--arrival",
    kind: "value",
    arg: "<kind>",
    group: "Load",
    help: "open-loop arrival process",
    choices: ["poisson", "gamma", "constant"],
    parse: same,
    write: text("--arrival"),
  },
  burstiness: {
    flag: "--burstiness",
    kind: "value",
    arg: "<x>",
    group: "Load",
    help: "gamma shape: 1 = Poisson, <1 burstier, >1 smoother",
    parse: parsePositiveNumber,
    write: text("--burstiness"),
  },
  maxConcurrency: {
    flag: "--max-concurrency",
    kind: "value",
    arg: "<n>",
    group: "Load",
    help: "open loop: cap in-flight requests (waiting time counts as latency)",
    parse: parsePositiveInt,
    write: text("--max-concurrency"),
  },
  profile: {
    flag: "--profile",
    kind: "value",
    arg: "<kind>",
    group: "Load",
    help: "levels (the given list), sweep, or slo-search",
    choices: ["levels", "sweep", "slo-search"],
    parse: same,
    write: text("--profile"),
  },
  rampMs: {
    flag: "--ramp",
    kind: "value",
    arg: "<time>",
    group: "Load",
    help: "ramp each level from zero to its rate or concurrency over this long",
    parse: parseDurationMs,
    write: ms("--ramp"),
  },
  sweepRates: {
    flag: "--sweep-rates",
    kind: "value",
    arg: "<n>",
    group: "Load",
    help: "sweep: open-loop rates between synchronous and throughput",
    parse: parsePositiveInt,
    write: text("--sweep-rates"),
  },
  sweepMaxConcurrency: {
    flag: "--sweep-max-concurrency",
    kind: "value",
    arg: "<n>",
    group: "Load",
    help: "sweep: concurrency of the throughput level",
    parse: parsePositiveInt,
    write: text("--sweep-max-concurrency"),
  },
  sloSearchBy: {
    flag: "--slo-search-by",
    kind: "value",
    arg: "<what>",
    group: "Load",
    help: "slo-search: search request rate or concurrency",
    choices: ["rate", "concurrency"],
    parse: same,
    write: text("--slo-search-by"),
  },
  sloTolerance: {
    flag: "--slo-tolerance",
    kind: "value",
    arg: "<x>",
    group: "Load",
    help: "slo-search: stop when the bracket is within this fraction",
    parse: parseFraction,
    write: text("--slo-tolerance"),
  },
  sloMaxLevels: {
    flag: "--slo-max-levels",
    kind: "value",
    arg: "<n>",
    group: "Load",
    help: "slo-search: at most this many probe levels",
    parse: parsePositiveInt,
    write: text("--slo-max-levels"),
  },
  sloStart: {
    flag: "--slo-start",
    kind: "value",
    arg: "<x>",
    group: "Load",
    help: "slo-search: first probe, req/s or concurrency",
    defaultText: "1",
    parse: parsePositiveNumber,
    write: text("--slo-start"),
  },
  maxErrorRate: {
    flag: "--max-error-rate",
    kind: "value",
    arg: "<x>",
    group: "Load",
    help: "stop a level early when this fraction of its requests failed (e.g. 0.1)",
    parse: parseFraction,
    write: text("--max-error-rate"),
  },
  stopOnSaturation: {
    flag: "--stop-on-saturation",
    kind: "both",
    group: "Load",
    help: "stop an open-loop level early when queue wait grows without bound (--no-stop-on-saturation: never)",
    defaultText: "on for sweep and slo-search",
    write: (v) => [v ? "--stop-on-saturation" : "--no-stop-on-saturation"],
  },
  requests: {
    flag: "--requests",
    kind: "value",
    arg: "<N|Nx>",
    group: "Load",
    help: "requests per level: N, or Nx = N × concurrency (or × rate)",
    defaultText: "2x",
    parse: parseRequestCount,
    write: (v) => ["--requests", v.kind === "count" ? String(v.n) : `${v.factor}x`],
  },
  durationMs: {
    flag: "--duration",
    kind: "value",
    arg: "<time>",
    group: "Load",
    help: "stop issuing after this long per level (e.g. 60s); in-flight requests drain",
    parse: parseDurationMs,
    write: ms("--duration"),
  },
  warmup: {
    flag: "--warmup",
    kind: "value",
    arg: "<n>",
    group: "Load",
    help: "requests sent before each level and excluded from results",
    parse: parseNonNegativeInt,
    write: text("--warmup"),
  },
  cancelRate: {
    flag: "--cancel-rate",
    kind: "value",
    arg: "<fraction>",
    group: "Load",
    help: "cancel this share of each level's requests as impatient users do (e.g. 0.2 or 20%); needs --cancel-after",
    parse: parseFraction,
    write: text("--cancel-rate"),
  },
  cancelAfter: {
    flag: "--cancel-after",
    kind: "value",
    arg: "<time|Ntokens>",
    group: "Load",
    help: "when a cancelled request is given up: a time after its send (2s) or a number of streamed chunks (20tokens)",
    parse: parseCancelAfter,
    write: (v) => ["--cancel-after", v.kind === "ms" ? `${v.ms}ms` : `${v.tokens}tokens`],
  },
  out: {
    flag: "--out",
    kind: "value",
    arg: "<dir>",
    group: "Outputs",
    help: "results directory",
    defaultText: "results/<timestamp>",
    parse: str,
    write: text("--out"),
    perShard: "always",
  },
  slo: {
    flag: "--slo",
    kind: "value",
    arg: "<terms>",
    group: "Outputs",
    help: "per-request goodput terms (ttft_ms<=500) and/or aggregate terms (ttft_ms.p99<=1000)",
    parse: parseSlo,
    write: (v) => (v.length === 0 ? [] : ["--slo", formatSlo(v as SloTerm[])]),
  },
  percentiles: {
    flag: "--percentiles",
    kind: "value",
    arg: "<list>",
    group: "Outputs",
    help: "percentiles to report",
    parse: (v, f) => parseList(v, f, parsePositiveNumber),
    write: list("--percentiles"),
  },
  strict: {
    flag: "--strict",
    kind: "on",
    group: "Outputs",
    help: "flag every request whose usage differs from the target token counts; exit 3 if any",
    write: (v) => (v ? ["--strict"] : []),
  },
  clientTokenCheck: {
    flag: "--no-client-token-check",
    kind: "off",
    group: "Outputs",
    help: "skip re-counting received text with the client tokenizer",
    write: (v) => (v ? [] : ["--no-client-token-check"]),
  },
  gpuHourlyCostUsd: {
    flag: "--gpu-hourly-cost",
    kind: "value",
    arg: "<usd>",
    group: "Outputs",
    help: "what one GPU of the target costs per hour (USD): levels report $ per million output and input tokens",
    parse: parsePositiveNumber,
    write: text("--gpu-hourly-cost"),
  },
  gpuCount: {
    flag: "--gpu-count",
    kind: "value",
    arg: "<n>",
    group: "Outputs",
    help: "GPUs the target runs on, for --gpu-hourly-cost",
    defaultText: "the embedded simulator's tp × pp, else 1",
    parse: parsePositiveInt,
    write: text("--gpu-count"),
  },
  metricsUrl: {
    flag: "--metrics-url",
    kind: "value",
    arg: "<url>",
    group: "Telemetry",
    help: "Prometheus endpoint to scrape",
    defaultText: "<target>/metrics",
    parse: str,
    runOnly: "predict reads the simulated server's own counters",
    write: text("--metrics-url"),
  },
  metrics: { flag: "--no-metrics", kind: "off", group: "Telemetry", help: "do not scrape /metrics", write: (v) => (v ? [] : ["--no-metrics"]) },
  metricsIntervalMs: {
    flag: "--metrics-interval",
    kind: "value",
    arg: "<time>",
    group: "Telemetry",
    help: "scrape interval",
    parse: parseDurationMs,
    write: ms("--metrics-interval"),
  },
  power: {
    flag: "--power",
    kind: "value",
    arg: "<source>",
    group: "Telemetry",
    help: "GPU power each --metrics-interval for watts and joules per token: auto (local nvidia-smi/rocm-smi when the target is on this machine), none, nvidia-smi, rocm-smi, cmd:<command printing watts per GPU>, dcgm:<exporter /metrics URL>",
    parse: (v, f) => (parsePowerFlag(v, f), v.trim()),
    runOnly: "a prediction has no GPU to read power from",
    write: text("--power"),
  },
  serverCmd: {
    flag: "--server-cmd",
    kind: "value",
    arg: "<cmd>",
    group: "Telemetry",
    help: "the server's launch command, recorded in env.json",
    parse: str,
    runOnly: "predict starts no server",
    write: text("--server-cmd"),
  },
  gpuInfoCmd: {
    flag: "--gpu-info-cmd",
    kind: "value",
    arg: "<cmd>",
    group: "Telemetry",
    help: 'command printing GPU facts (e.g. "ssh host nvidia-smi ..."), recorded in env.json',
    parse: str,
    runOnly: "a prediction has no GPU to describe",
    write: text("--gpu-info-cmd"),
  },
  sim: {
    flag: "--sim-*",
    kind: "value",
    group: "Simulator",
    help: "the embedded simulator's settings (cli/sim-flags.ts and the --sim-* rows of run)",
    external: true,
    write: (v) => {
      const args: string[] = [];
      for (const key of Object.keys(SIM_FLAG_WRITERS) as SimField[]) {
        const value = v[key];
        if (value !== undefined) args.push(...(SIM_FLAG_WRITERS[key] as (x: unknown) => string[])(value));
      }
      return args;
    },
  },
  workers: {
    flag: "--workers",
    kind: "value",
    arg: "<N|auto>",
    group: "Scale",
    help: "generate the load from N worker threads (auto: one per core, leaving one for the system above two)",
    parse: (v, f) => resolveWorkerCount(v.trim() === "auto" ? "auto" : parsePositiveInt(v, f), availableParallelism()),
    write: text("--workers"),
    runOnly: VIRTUAL,
  },
  shard: {
    flag: "--shard",
    kind: "value",
    arg: "<I/N>",
    group: "Scale",
    help: "run share I (0-based) of N of the load and write a shard directory for `servebench merge`",
    parse: parseShardFlag,
    write: (v) => ["--shard", `${v.index}/${v.count}`],
    runOnly: VIRTUAL,
    perShard: "always",
  },
  startAtEpochMs: {
    flag: "--start-at",
    kind: "value",
    arg: "<epoch-ms>",
    group: "Scale",
    help: "with --shard: the wall-clock instant every shard starts at",
    parse: parsePositiveInt,
    write: text("--start-at"),
    runOnly: "a prediction runs in virtual time",
    perShard: "always",
  },
  barrierDir: {
    flag: "--barrier-dir",
    kind: "value",
    arg: "<dir>",
    group: "Scale",
    help: "with --shard: a directory every shard can write; each later level starts on every shard at one instant",
    parse: str,
    write: text("--barrier-dir"),
    runOnly: VIRTUAL,
    perShard: "k8s",
  },
  barrierTimeoutMs: {
    flag: "--barrier-timeout",
    kind: "value",
    arg: "<time>",
    group: "Scale",
    help: "how long a level barrier waits for the other shards after the first arrives",
    parse: parseDurationMs,
    write: ms("--barrier-timeout"),
    runOnly: VIRTUAL,
  },
  barrierMarginMs: {
    flag: "--barrier-margin",
    kind: "value",
    arg: "<time>",
    group: "Scale",
    help: "a barrier's start instant is the last shard's arrival plus this",
    parse: parseNonNegativeDurationMs,
    write: ms("--barrier-margin"),
    runOnly: VIRTUAL,
  },
  levelGapMs: {
    flag: "--level-gap",
    kind: "value",
    arg: "<time>",
    group: "Scale",
    help: "sharded --duration levels without --barrier-dir: gap before each next level",
    parse: parseNonNegativeDurationMs,
    write: ms("--level-gap"),
    runOnly: VIRTUAL,
  },
};

/** Flags of `run` that are not config fields (handled by the command itself), with their group and help. */
export interface CommandFlag {
  flag: string;
  arg?: string;
  help: string;
  group: FlagGroup;
  runOnly?: string;
  perShard?: "always" | "k8s";
}

export const RUN_COMMAND_FLAGS: readonly CommandFlag[] = [
  {
    flag: "--resume",
    arg: "<dir>",
    group: "Target",
    help: "continue an interrupted run directory with its saved config: finished levels are kept, the interrupted level reruns",
    runOnly: "a prediction takes seconds and is deterministic: run it again",
  },
  { flag: "--quiet", group: "Outputs", help: "print only the final table" },
  {
    flag: "--distributed",
    arg: "<local:N>",
    group: "Scale",
    help: "run N --shard processes on this machine and merge them into --out",
    runOnly: VIRTUAL,
    perShard: "always",
  },
];

/** commander's attribute name of a flag: "--no-exact-output" → "exactOutput". */
export function flagAttribute(flag: string): string {
  return flag.replace(/^--(no-)?/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function runFlagRows(): Array<[Field, FlagRow<Field>]> {
  return Object.entries(RUN_FLAGS) as Array<[Field, FlagRow<Field>]>;
}

/** The flag that sets a config field (for error messages): `durationMs` → `--duration`, `sim.tp` → `--sim-tp`. */
export function flagForField(path: readonly PropertyKey[]): string {
  const field = String(path[0] ?? "");
  const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  if (field === "sim" && path.length > 1) return path[1] === "prefixCaching" ? "--no-sim-prefix-caching" : `--sim-${kebab(String(path[1]))}`;
  const row = (RUN_FLAGS as Partial<Record<string, FlagRow<Field>>>)[field];
  return row === undefined || row.external === true ? `--${kebab(field)}` : row.flag;
}

/** Flags `predict` refuses, with why. */
export function runOnlyFlags(): Array<{ flag: string; attribute: string; why: string }> {
  const rows = [...runFlagRows().map(([, r]) => r), ...RUN_COMMAND_FLAGS];
  return rows.flatMap((r) => (r.runOnly === undefined ? [] : [{ flag: r.flag, attribute: flagAttribute(r.flag), why: r.runOnly }]));
}

/** Flags servebench sets for each shard: by `--distributed` (which drops them from the shards' argv), or by `k8s` (which refuses them). */
export function perShardFlags(by: "distributed" | "k8s"): string[] {
  return [...runFlagRows().map(([, r]) => r), ...RUN_COMMAND_FLAGS]
    .filter((r) => r.perShard === "always" || (by === "k8s" && r.perShard === "k8s"))
    .map((r) => r.flag);
}

/** The `servebench run` flags that give this configuration (fields left out keep their defaults). */
export function writeRunArgs(input: RunConfigInput): string[] {
  const args: string[] = [];
  for (const [key, row] of runFlagRows()) {
    const value = input[key];
    if (value === undefined) continue;
    args.push(...(row.write as (v: unknown) => string[])(value));
  }
  return args;
}
