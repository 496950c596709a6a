// Owns the `run` command's flags and their translation into a RunConfigInput.
// Each flag's value is parsed here with a message naming the flag; defaults live in the schema.

import { Option, type Command } from "commander";
import { parseLengthDist } from "../config/length-dist.js";
import type { RunConfigInput } from "../config/run-config.js";
import { BenchError } from "../errors.js";
import {
  parseByteSize,
  parseDurationMs,
  parseList,
  parseNonNegativeInt,
  parsePositiveInt,
  parsePositiveNumber,
  parseRequestCount,
  parseSlo,
} from "../config/units.js";
import { availableParallelism } from "node:os";
import { parseShardFlag } from "../scale/load-split.js";
import { resolveWorkerCount } from "../scale/worker-coordinator.js";
import { simSettingsFromFlags } from "./sim-flags.js";
import { parsePowerFlag } from "../telemetry/power.js";

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
    .option("--dataset <file>", "prompts from a ShareGPT JSON, JSON array, JSONL or CSV file (`prompt` or `messages`, optional output_tokens)")
    .addOption(
      new Option("--dataset-format <kind>", "dataset format (default: by extension, then content)").choices(["auto", "sharegpt", "json", "jsonl", "csv"]),
    )
    .option("--dataset-sample <n>", "use N dataset rows chosen by a seeded shuffle (--seed)")
    .option("--input-dist <spec>", "input lengths: 512, uniform:min=128,max=1024, normal:mean=512,std=128, lognormal:mean=512,sigma=0.5, hist:file.csv")
    .option("--output-dist <spec>", "output lengths, same syntax as --input-dist")
    .option("--prefix-groups <n>", "G groups of requests, each sharing a system prompt of --prefix-tokens (prefix-cache studies)")
    .option("--prefix-tokens <n>", "tokens of each group's shared prefix")
    .option("--suffix-tokens <n>", "unique tokens per request after the prefix (default: --input-tokens is the total)")
    .option("--turns <n>", "multi-turn sessions of N turns (chat): each turn sends the history with the answers received")
    .option("--think-time <time>", "pause between a turn's answer and the next turn (default 0)")
    .addOption(
      new Option(
        "--chat-template <how>",
        "count chat prompt tokens with the server's /tokenize, the tokenizer's chat_template, or contents only (default auto)",
      ).choices(["auto", "tokenizer", "server", "none"]),
    )
    .option("--trace <file>", "replay arrival times and lengths from a trace (servebench JSONL, Mooncake JSONL, BurstGPT CSV)")
    .addOption(new Option("--trace-format <kind>", "trace format (default: detected)").choices(["auto", "servebench", "mooncake", "burstgpt"]))
    .option("--time-scale <x>", "multiply trace timestamps by x (0.5 = twice as fast) (default 1)")
    .option("--trace-block-tokens <n>", "tokens per block of a Mooncake trace's hash_ids: requests sharing leading ids share that prefix (default 512)")
    .option("--concurrency <list>", "closed loop: comma-separated concurrency levels (default 1,4,16)")
    .option("--rate <list>", "open loop: comma-separated request rates in req/s")
    .addOption(new Option("--arrival <kind>", "open-loop arrival process").choices(["poisson", "gamma", "constant"]))
    .option("--burstiness <x>", "gamma shape: 1 = Poisson, <1 burstier, >1 smoother")
    .option("--max-concurrency <n>", "open loop: cap in-flight requests (waiting time counts as latency)")
    .addOption(new Option("--profile <kind>", "levels (the given list), sweep, or slo-search (default levels)").choices(["levels", "sweep", "slo-search"]))
    .option("--ramp <time>", "ramp each level from zero to its rate or concurrency over this long")
    .option("--sweep-rates <n>", "sweep: open-loop rates between synchronous and throughput (default 8)")
    .option("--sweep-max-concurrency <n>", "sweep: concurrency of the throughput level (default 256)")
    .addOption(new Option("--slo-search-by <what>", "slo-search: search request rate or concurrency (default rate)").choices(["rate", "concurrency"]))
    .option("--slo-tolerance <x>", "slo-search: stop when the bracket is within this fraction (default 0.05)")
    .option("--slo-max-levels <n>", "slo-search: at most this many probe levels (default 12)")
    .option("--slo-start <x>", "slo-search: first probe, req/s or concurrency (default 1)")
    .option("--max-error-rate <x>", "stop a level early when this fraction of its requests failed (e.g. 0.1)")
    .option("--stop-on-saturation", "stop an open-loop level early when queue wait grows without bound (default on for sweep and slo-search)")
    .option("--no-stop-on-saturation", "never stop a level for over-saturation")
    .option("--requests <N|Nx>", "requests per level: N, or Nx = N × concurrency (or × rate) (default 3x)")
    .option("--duration <time>", "stop issuing after this long per level (e.g. 60s); in-flight requests drain")
    .option("--warmup <n>", "requests sent before each level and excluded from results (default 0)")
    .option("--timeout <time>", "per-request timeout (default 10m)")
    .option("--slo <terms>", "per-request goodput terms (ttft_ms<=500) and/or aggregate terms (ttft_ms.p99<=1000)")
    .option("--percentiles <list>", "percentiles to report (default 50,90,95,99)")
    .option("--seed <n>", "seed for prompts and arrivals (default 0)")
    .option("--out <dir>", "results directory (default results/<timestamp>)")
    .option("--api-key-env <NAME>", "environment variable holding the API key (default OPENAI_API_KEY)")
    .option("--no-client-token-check", "skip re-counting received text with the client tokenizer")
    .option("--extra-body <json>", "merge these JSON fields into every request body, e.g. '{\"cache_prompt\":false}' (llama.cpp)")
    .option("--metrics-url <url>", "Prometheus endpoint to scrape (default: <target>/metrics)")
    .option("--no-metrics", "do not scrape /metrics")
    .option("--metrics-interval <time>", "scrape interval (default 1s)")
    .option("--wait-ready <time>", "wait up to this long for /health and /v1/models before starting")
    .option(
      "--power <source>",
      "GPU power each --metrics-interval for watts and joules per token: auto (local nvidia-smi/rocm-smi when the target is on this machine), none, nvidia-smi, rocm-smi, cmd:<command printing watts per GPU>, dcgm:<exporter /metrics URL> (default auto)",
    )
    .option("--cancel-rate <fraction>", "cancel this share of each level's requests as impatient users do (e.g. 0.2 or 20%); needs --cancel-after")
    .option("--cancel-after <time|Ntokens>", "when a cancelled request is given up: a time after its send (2s) or a number of streamed chunks (20tokens)")
    .option("--gpu-hourly-cost <usd>", "what one GPU of the target costs per hour (USD): levels report $ per million output and input tokens")
    .option("--gpu-count <n>", "GPUs the target runs on, for --gpu-hourly-cost (default: the embedded simulator's tp × pp, else 1)")
    .option("--server-cmd <cmd>", "the server's launch command, recorded in env.json")
    .option("--gpu-info-cmd <cmd>", 'command printing GPU facts (e.g. "ssh host nvidia-smi ..."), recorded in env.json')
    .addOption(
      new Option(
        "--sim-timing <kind>",
        "embedded simulator: roofline (default: the physics engine on --sim-gpu, else on the rtx-4070-qwen3-8b-awq preset) or simple (fixed TTFT and time per token, no GPU)",
      ).choices(["roofline", "simple"]),
    )
    .option("--sim-ttft-ms <ms>", "embedded simulator, simple timing (implies it without --sim-gpu): time to first token (default 30)")
    .option("--sim-per-token-ms <ms>", "embedded simulator, simple timing (implies it without --sim-gpu): time per output token (default 10)")
    .option(
      "--sim-batch-slowdown <x>",
      "embedded simulator, simple timing (implies it without --sim-gpu): per-token slowdown per extra running stream (default 0.002)",
    )
    .option(
      "--sim-max-num-seqs <n>",
      "embedded simulator: requests admitted at once, the rest queue (default: vLLM's for the preset; unlimited with simple timing)",
    )
    .option("--sim-trace <file>", "embedded simulator: write per-token emission times (ground truth) to this JSONL file")
    .option(
      "--sim-reasoning-tokens <n>",
      "embedded simulator: chat answers start with N reasoning tokens (delta.reasoning / reasoning_content), as a reasoning model does (default 0)",
    )
    .option("--workers <N|auto>", "generate the load from N worker threads (auto: one per core, leaving one for the system above two)")
    .option("--shard <I/N>", "run share I (0-based) of N of the load and write a shard directory for `servebench merge`")
    .option("--start-at <epoch-ms>", "with --shard: the wall-clock instant every shard starts at")
    .option("--barrier-dir <dir>", "with --shard: a directory every shard can write; each later level starts on every shard at one instant")
    .option("--barrier-timeout <time>", "how long a level barrier waits for the other shards after the first arrives (default 10m)")
    .option("--barrier-margin <time>", "a barrier's start instant is the last shard's arrival plus this (default 1s)")
    .option("--level-gap <time>", "sharded --duration levels without --barrier-dir: gap before each next level (default 10s)")
    .option("--distributed <local:N>", "run N --shard processes on this machine and merge them into --out")
    .option("--resume <dir>", "continue an interrupted run directory with its saved config: finished levels are kept, the interrupted level reruns")
    .option(
      "--max-event-size <size>",
      "largest SSE line or event accepted from the server, e.g. 4MiB (default 4MiB); larger fails the request as sse_too_large",
    )
    .addOption(new Option("--api-key <key>", "not supported: see --api-key-env").hideHelp())
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
  set("datasetFormat", "--dataset-format", (v) => v as NonNullable<RunConfigInput["datasetFormat"]>);
  set("datasetSample", "--dataset-sample", parsePositiveInt);
  set("inputDist", "--input-dist", parseLengthDist);
  set("outputDist", "--output-dist", parseLengthDist);
  set("prefixGroups", "--prefix-groups", parsePositiveInt);
  set("prefixTokens", "--prefix-tokens", parsePositiveInt);
  set("suffixTokens", "--suffix-tokens", parsePositiveInt);
  set("turns", "--turns", parsePositiveInt);
  set("thinkTimeMs", "--think-time", parseNonNegativeDurationMs);
  set("chatTemplate", "--chat-template", (v) => v as NonNullable<RunConfigInput["chatTemplate"]>);
  set("trace", "--trace", text);
  set("traceFormat", "--trace-format", (v) => v as NonNullable<RunConfigInput["traceFormat"]>);
  set("timeScale", "--time-scale", parsePositiveNumber);
  set("traceBlockTokens", "--trace-block-tokens", parsePositiveInt);
  set("profile", "--profile", (v) => v as NonNullable<RunConfigInput["profile"]>);
  set("rampMs", "--ramp", parseDurationMs);
  set("sweepRates", "--sweep-rates", parsePositiveInt);
  set("sweepMaxConcurrency", "--sweep-max-concurrency", parsePositiveInt);
  set("sloSearchBy", "--slo-search-by", (v) => v as NonNullable<RunConfigInput["sloSearchBy"]>);
  set("sloTolerance", "--slo-tolerance", parseFraction);
  set("sloMaxLevels", "--slo-max-levels", parsePositiveInt);
  set("sloStart", "--slo-start", parsePositiveNumber);
  set("maxErrorRate", "--max-error-rate", parseFraction);
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
  set("workers", "--workers", (v, f) => resolveWorkerCount(v.trim() === "auto" ? "auto" : parsePositiveInt(v, f), availableParallelism()));
  set("shard", "--shard", parseShardFlag);
  set("startAtEpochMs", "--start-at", parsePositiveInt);
  set("barrierDir", "--barrier-dir", text);
  set("barrierTimeoutMs", "--barrier-timeout", parseDurationMs);
  set("barrierMarginMs", "--barrier-margin", parseNonNegativeDurationMs);
  set("levelGapMs", "--level-gap", parseNonNegativeDurationMs);
  set("out", "--out", text);
  set("maxEventBytes", "--max-event-size", parseByteSize);
  if (str(raw, "apiKey") !== undefined) {
    throw new BenchError(
      "E_BAD_FLAG",
      "--api-key: a key on the command line leaks into shell history and process lists; put it in an environment variable (OPENAI_API_KEY by default) and name another one with --api-key-env NAME",
      { where: "--api-key" },
    );
  }
  set("apiKeyEnv", "--api-key-env", text);
  set("extraBody", "--extra-body", parseExtraBody);
  set("metricsUrl", "--metrics-url", text);
  set("metricsIntervalMs", "--metrics-interval", parseDurationMs);
  set("waitReadyMs", "--wait-ready", parseDurationMs);
  set("serverCmd", "--server-cmd", text);
  set("gpuInfoCmd", "--gpu-info-cmd", text);
  set("gpuHourlyCostUsd", "--gpu-hourly-cost", parsePositiveNumber);
  set("cancelRate", "--cancel-rate", parseFraction);
  set("cancelAfter", "--cancel-after", parseCancelAfter);
  set("power", "--power", (v, f) => (parsePowerFlag(v, f), v.trim()));
  set("gpuCount", "--gpu-count", parsePositiveInt);
  if (raw.strict === true) input.strict = true;
  if (raw.exactOutput === false) input.exactOutput = false;
  if (raw.clientTokenCheck === false) input.clientTokenCheck = false;
  if (raw.metrics === false) input.metrics = false;
  if (typeof raw.stopOnSaturation === "boolean") input.stopOnSaturation = raw.stopOnSaturation;
  type Sim = NonNullable<RunConfigInput["sim"]>;
  // dtype and kv dtype are commander choices; the schema checks them again.
  const sim: Sim = { ...(simSettingsFromFlags(raw, "run") as Sim) };
  const timing = str(raw, "simTiming");
  if (timing !== undefined) sim.timing = timing as Sim["timing"];
  const ttft = str(raw, "simTtftMs");
  if (ttft !== undefined) sim.ttftMs = parseNonNegative(ttft, "--sim-ttft-ms");
  const perToken = str(raw, "simPerTokenMs");
  if (perToken !== undefined) sim.perTokenMs = parsePositiveNumber(perToken, "--sim-per-token-ms");
  const slowdown = str(raw, "simBatchSlowdown");
  if (slowdown !== undefined) sim.batchSlowdown = parseNonNegative(slowdown, "--sim-batch-slowdown");
  for (const key of ["model", "trace", "faults"] as const) {
    const value = str(raw, flagKey(`--sim-${key}`));
    if (value !== undefined) sim[key] = value;
  }
  const reasoning = str(raw, "simReasoningTokens");
  if (reasoning !== undefined) sim.reasoningTokens = parseNonNegativeInt(reasoning, "--sim-reasoning-tokens");
  const dialect = str(raw, "simDialect");
  if (dialect !== undefined) sim.dialect = dialect as Sim["dialect"];
  if (input.url !== undefined && sim.model !== undefined) {
    throw new BenchError("E_BAD_FLAG", "--sim-model: configures the embedded simulator, which --url replaces (the model to request is --model)", {
      where: "--sim-model",
    });
  }
  if (Object.keys(sim).length > 0) input.sim = sim;
  return input;
}

/** "2s", "500ms" (after the send) or "20tokens" (after that many streamed chunks). */
function parseCancelAfter(value: string, flag: string): NonNullable<RunConfigInput["cancelAfter"]> {
  const tokens = /^\s*(\d+)\s*(?:tokens?|t)\s*$/i.exec(value);
  if (tokens?.[1] !== undefined) return { kind: "tokens", tokens: parsePositiveInt(tokens[1], flag) };
  return { kind: "ms", ms: parseDurationMs(value, flag) };
}

/** A JSON object, e.g. '{"cache_prompt":false}'. */
function parseExtraBody(value: string, flag: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new BenchError("E_BAD_FLAG", `${flag}: not valid JSON (${(error as Error).message}); expected an object such as '{"cache_prompt":false}'`, {
      where: flag,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BenchError("E_BAD_FLAG", `${flag}: expected a JSON object such as '{"cache_prompt":false}'`, { where: flag });
  }
  return parsed as Record<string, unknown>;
}

function parseNonNegativeDurationMs(value: string, flag: string): number {
  return /^\s*0+(\.0*)?\s*(ms|s|m|h)?\s*$/.test(value) ? 0 : parseDurationMs(value, flag);
}

/** A number in (0, 1]: "0.1" or "10%". */
function parseFraction(value: string, flag: string): number {
  const percent = value.trim().endsWith("%");
  const n = parsePositiveNumber(percent ? value.trim().slice(0, -1) : value, flag) / (percent ? 100 : 1);
  if (n > 1) throw new BenchError("E_BAD_FLAG", `${flag}: "${value}" is not a fraction between 0 and 1 (or a percentage)`, { where: flag });
  return n;
}

function parseNonNegative(value: string, flag: string): number {
  return value.trim() === "0" ? 0 : parsePositiveNumber(value, flag);
}

/** "--input-tokens" → "inputTokens" (commander's attribute name). */
function flagKey(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
