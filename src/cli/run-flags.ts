// Owns the `run` command's flags and their translation into a RunConfigInput.
// Each flag's value is parsed here with a message naming the flag; defaults live in the schema.

import { Option, type Command } from "commander";
import type { RunConfigInput } from "../config/run-config.js";
import {
  parseDurationMs,
  parseList,
  parseNonNegativeInt,
  parsePositiveInt,
  parsePositiveNumber,
  parseRequestCount,
  parseSlo,
} from "../config/units.js";

type Raw = Record<string, string | boolean | undefined>;

export function addRunFlags(cmd: Command): Command {
  return cmd
    .option("--url <url>", "target server base URL (default: start the embedded simulator)")
    .option("--model <name>", "model name to request (default: first id from GET /v1/models)")
    .option("--tokenizer <dir|file|hf-id>", "tokenizer.json dir/file or HF model id in the local cache (default: bundled Qwen3)")
    .addOption(new Option("--endpoint <kind>", "API to call").choices(["completions", "chat"]).default(undefined, "completions"))
    .option("--input-tokens <n>", "exact prompt length in tokens for synthetic prompts (default 512)")
    .option("--output-tokens <n>", "exact completion length in tokens (default 128)")
    .option("--no-exact-output", "do not send min_tokens/ignore_eos; let the model stop on EOS")
    .option("--strict", "flag every request whose usage differs from the target token counts; exit 3 if any")
    .option("--shared-prefix-tokens <n>", "make all prompts share their first N tokens (prefix-cache studies)")
    .option("--prompt <text>", "send this fixed prompt for every request")
    .option("--dataset <file.jsonl>", "prompts from JSONL lines with `prompt` or `messages` (+ optional output_tokens)")
    .option("--concurrency <list>", "closed loop: comma-separated concurrency levels (default 1,4,16)")
    .option("--rate <list>", "open loop: comma-separated request rates in req/s")
    .addOption(new Option("--arrival <kind>", "open-loop arrival process").choices(["poisson", "gamma", "constant"]))
    .option("--burstiness <x>", "gamma shape: 1 = Poisson, <1 burstier, >1 smoother")
    .option("--max-concurrency <n>", "open loop: cap in-flight requests (waiting time counts as latency)")
    .option("--requests <N|Nx>", "requests per level: N, or Nx = N × concurrency (or × rate) (default 3x)")
    .option("--duration <time>", "stop issuing after this long per level (e.g. 60s); in-flight requests drain")
    .option("--warmup <n>", "requests sent before each level and excluded from results (default 0)")
    .option("--timeout <time>", "per-request timeout (default 10m)")
    .option("--slo <terms>", "goodput objective, e.g. ttft_ms<=500,tpot_ms<=50")
    .option("--percentiles <list>", "percentiles to report (default 50,90,95,99)")
    .option("--seed <n>", "seed for prompts and arrivals (default 0)")
    .option("--out <dir>", "results directory (default results/<timestamp>)")
    .option("--api-key-env <NAME>", "environment variable holding the API key (default OPENAI_API_KEY)")
    .option("--no-client-token-check", "skip re-counting received text with the client tokenizer")
    .option("--metrics-url <url>", "Prometheus endpoint to scrape (default: <target>/metrics)")
    .option("--no-metrics", "do not scrape /metrics")
    .option("--metrics-interval <time>", "scrape interval (default 1s)")
    .option("--wait-ready <time>", "wait up to this long for /health and /v1/models before starting")
    .option("--server-cmd <cmd>", "the server's launch command, recorded in env.json")
    .option("--gpu-info-cmd <cmd>", "command printing GPU facts (e.g. \"ssh host nvidia-smi ...\"), recorded in env.json")
    .option("--sim-ttft-ms <ms>", "embedded simulator: time to first token (default 30)")
    .option("--sim-per-token-ms <ms>", "embedded simulator: time per output token (default 10)")
    .option("--sim-batch-slowdown <x>", "embedded simulator: per-token slowdown per extra running stream (default 0.002)")
    .option("--sim-trace <file>", "embedded simulator: write per-token emission times (ground truth) to this JSONL file")
    .option("--quiet", "print only the final table");
}

function str(raw: Raw, key: string): string | undefined {
  const v = raw[key];
  return typeof v === "string" ? v : undefined;
}

/** Builds the config input; only flags the user gave appear, so schema defaults apply once. */
export function runConfigFromFlags(raw: Raw): RunConfigInput {
  const input: RunConfigInput = {};
  const set = <K extends keyof RunConfigInput>(key: K, flag: string, parse: (v: string, f: string) => RunConfigInput[K]): void => {
    const value = str(raw, flagKey(flag));
    if (value !== undefined) input[key] = parse(value, flag);
  };
  const text = (v: string): string => v;
  set("url", "--url", text);
  set("model", "--model", text);
  set("tokenizer", "--tokenizer", text);
  set("endpoint", "--endpoint", (v) => v as "completions" | "chat");
  set("inputTokens", "--input-tokens", parsePositiveInt);
  set("outputTokens", "--output-tokens", parsePositiveInt);
  set("sharedPrefixTokens", "--shared-prefix-tokens", parseNonNegativeInt);
  set("prompt", "--prompt", text);
  set("dataset", "--dataset", text);
  set("concurrency", "--concurrency", (v, f) => parseList(v, f, parsePositiveInt));
  set("rate", "--rate", (v, f) => parseList(v, f, parsePositiveNumber));
  set("arrival", "--arrival", (v) => v as "poisson" | "gamma" | "constant");
  set("burstiness", "--burstiness", parsePositiveNumber);
  set("maxConcurrency", "--max-concurrency", parsePositiveInt);
  set("requests", "--requests", parseRequestCount);
  set("durationMs", "--duration", parseDurationMs);
  set("warmup", "--warmup", parseNonNegativeInt);
  set("timeoutMs", "--timeout", parseDurationMs);
  set("slo", "--slo", parseSlo);
  set("percentiles", "--percentiles", (v, f) => parseList(v, f, parsePositiveNumber));
  set("seed", "--seed", parseNonNegativeInt);
  set("out", "--out", text);
  set("apiKeyEnv", "--api-key-env", text);
  set("metricsUrl", "--metrics-url", text);
  set("metricsIntervalMs", "--metrics-interval", parseDurationMs);
  set("waitReadyMs", "--wait-ready", parseDurationMs);
  set("serverCmd", "--server-cmd", text);
  set("gpuInfoCmd", "--gpu-info-cmd", text);
  if (raw.strict === true) input.strict = true;
  if (raw.exactOutput === false) input.exactOutput = false;
  if (raw.clientTokenCheck === false) input.clientTokenCheck = false;
  if (raw.metrics === false) input.metrics = false;
  const sim: NonNullable<RunConfigInput["sim"]> = {};
  const ttft = str(raw, "simTtftMs");
  if (ttft !== undefined) sim.ttftMs = parseNonNegative(ttft, "--sim-ttft-ms");
  const perToken = str(raw, "simPerTokenMs");
  if (perToken !== undefined) sim.perTokenMs = parsePositiveNumber(perToken, "--sim-per-token-ms");
  const slowdown = str(raw, "simBatchSlowdown");
  if (slowdown !== undefined) sim.batchSlowdown = parseNonNegative(slowdown, "--sim-batch-slowdown");
  const trace = str(raw, "simTrace");
  if (trace !== undefined) sim.trace = trace;
  if (Object.keys(sim).length > 0) input.sim = sim;
  return input;
}

function parseNonNegative(value: string, flag: string): number {
  return value.trim() === "0" ? 0 : parsePositiveNumber(value, flag);
}

/** "--input-tokens" → "inputTokens" (commander's attribute name). */
function flagKey(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
