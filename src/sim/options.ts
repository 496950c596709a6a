// Owns the simulator's options: their documentation, their defaults (defined here only) and their
// validation. Everything else reads ResolvedSimulatorOptions.

import { BenchError } from "../errors.js";
import { realSchedulerClock } from "./scheduler-clock.js";
import type { SchedulerClock } from "./scheduler-clock.js";
import { simpleTiming } from "./timing.js";
import type { TimingModel } from "./timing.js";

/**
 * Options of the embedded vLLM-like simulator. Every field is optional.
 * @example
 * const sim = await startSimulator({ perTokenMs: 20, promptTokenCounter: (t) => tokenizer.count(t), trace: "sim.jsonl" });
 */
export interface SimulatorOptions {
  /** Served model id: reported by /v1/models, echoed in responses; any other requested `model` gets 404. @defaultValue "sim-model" */
  model?: string | undefined;
  /** @defaultValue "127.0.0.1" */
  host?: string | undefined;
  /** 0 picks a free port. @defaultValue 0 */
  port?: number | undefined;
  /** prompt + max_tokens above this is rejected with vLLM's 400. @defaultValue 40960 */
  maxModelLen?: number | undefined;
  /** Fixed part of the time from admission to the first token. @defaultValue 20 */
  ttftMs?: number | undefined;
  /** Time between tokens of a stream running alone (one engine step). @defaultValue 10 */
  perTokenMs?: number | undefined;
  /** Fractional increase of the step time per extra running stream. @defaultValue 0 */
  batchSlowdown?: number | undefined;
  /** Extra time to first token per prompt token. @defaultValue 0 */
  prefillMsPerToken?: number | undefined;
  /** A whole timing model; when given, ttftMs/perTokenMs/batchSlowdown/prefillMsPerToken are ignored. */
  timing?: TimingModel | undefined;
  /** Requests admitted at once; the rest wait (vllm:num_requests_waiting) in FIFO order. @defaultValue Infinity */
  maxNumSeqs?: number | undefined;
  /**
   * max_tokens when the request has none. Without it: 16 for /v1/completions (OpenAI's default, as in vLLM)
   * and max_model_len − prompt tokens for chat (as vLLM does).
   */
  defaultMaxTokens?: number | undefined;
  /**
   * Counts prompt tokens for usage.prompt_tokens and the context-length check. Inject the model's real
   * tokenizer to make usage exact. @defaultValue ceil(text.length / 4), a rough stand-in only
   */
  promptTokenCounter?: ((text: string) => number) | undefined;
  /** Chat: tokens the chat template adds once per request (e.g. the generation prompt). @defaultValue 0 */
  chatTemplateTokens?: number | undefined;
  /** Chat: tokens the chat template adds around each message (role header, end-of-turn). @defaultValue 0 */
  chatMessageTokens?: number | undefined;
  /**
   * Chance that each generated token (after min_tokens) is EOS, unless the request sets ignore_eos.
   * 0 makes every output exactly max_tokens long. @defaultValue 0
   */
  eosProbability?: number | undefined;
  /** Seeds the EOS draws (a request's own `seed` takes precedence). @defaultValue 0 */
  seed?: number | undefined;
  /** Path of a JSONL ground-truth trace, one line per finished request (see TraceLine). */
  trace?: string | undefined;
  /** KV cache size in blocks, for vllm:kv_cache_usage_perc. @defaultValue 27315 */
  kvCacheBlocks?: number | undefined;
  /** Tokens per KV block. @defaultValue 16 */
  kvBlockSize?: number | undefined;
  /** The real clock polls with setImmediate for the last spinMs before a step (precision vs CPU). @defaultValue 1 */
  spinMs?: number | undefined;
  /** Replaces the real clock (tests). */
  clock?: SchedulerClock | undefined;
}

export interface ResolvedSimulatorOptions {
  model: string;
  host: string;
  port: number;
  maxModelLen: number;
  timing: TimingModel;
  maxNumSeqs: number;
  defaultMaxTokens: number | undefined;
  promptTokenCounter: (text: string) => number;
  chatTemplateTokens: number;
  chatMessageTokens: number;
  eosProbability: number;
  seed: number;
  trace: string | undefined;
  kvCacheBlocks: number;
  kvBlockSize: number;
  clock: SchedulerClock;
}

export const DEFAULT_SIM_MODEL = "sim-model";

/** Fills defaults and validates; throws BenchError E_BAD_CONFIG naming the option. */
export function resolveSimulatorOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  const model = options.model ?? DEFAULT_SIM_MODEL;
  if (model.length === 0) bad("model", "must not be empty");
  const spinMs = check("spinMs", options.spinMs ?? 1, 0);
  return {
    model,
    host: options.host ?? "127.0.0.1",
    port: integer("port", options.port ?? 0, 0, 65535),
    maxModelLen: integer("maxModelLen", options.maxModelLen ?? 40960, 1),
    timing:
      options.timing ??
      simpleTiming({
        ttftMs: options.ttftMs,
        perTokenMs: options.perTokenMs,
        batchSlowdown: options.batchSlowdown,
        prefillMsPerToken: options.prefillMsPerToken,
      }),
    maxNumSeqs: options.maxNumSeqs === undefined || options.maxNumSeqs === Infinity ? Infinity : integer("maxNumSeqs", options.maxNumSeqs, 1),
    defaultMaxTokens: options.defaultMaxTokens === undefined ? undefined : integer("defaultMaxTokens", options.defaultMaxTokens, 1),
    promptTokenCounter: options.promptTokenCounter ?? ((text) => Math.ceil(text.length / 4)),
    chatTemplateTokens: integer("chatTemplateTokens", options.chatTemplateTokens ?? 0, 0),
    chatMessageTokens: integer("chatMessageTokens", options.chatMessageTokens ?? 0, 0),
    eosProbability: check("eosProbability", options.eosProbability ?? 0, 0, 1),
    seed: integer("seed", options.seed ?? 0, Number.MIN_SAFE_INTEGER),
    trace: options.trace,
    kvCacheBlocks: integer("kvCacheBlocks", options.kvCacheBlocks ?? 27315, 1),
    kvBlockSize: integer("kvBlockSize", options.kvBlockSize ?? 16, 1),
    clock: options.clock ?? realSchedulerClock(spinMs),
  };
}

function check(name: string, value: number, min: number, max = Infinity): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    bad(name, `must be a number in [${min}, ${max === Infinity ? "∞" : max}], got ${String(value)}`);
  }
  return value;
}

function integer(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) bad(name, `must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

function bad(name: string, problem: string): never {
  throw new BenchError("E_BAD_CONFIG", `simulator option ${name} ${problem}`, { where: name });
}
