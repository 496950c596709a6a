// Owns the simulator's options: their documentation, their defaults (defined here only) and their
// validation. Everything else reads ResolvedSimulatorOptions.

import { BenchError } from "../errors.js";
import type { Dialect, DialectName } from "./dialects/dialect.js";
import { dialectByName } from "./dialects/registry.js";
import type { SpecDecodeOptions } from "./engine.js";
import { NO_FAULTS, parseFaults } from "./faults.js";
import type { FaultKind, FaultSpec } from "./faults.js";
import { resolvePreset } from "./preset.js";
import type { PresetOptions, ResolvedPreset } from "./preset.js";
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
  /** prompt + max_tokens above this is rejected with vLLM's 400. @defaultValue the preset model's max positions, else 40960 */
  maxModelLen?: number | undefined;
  /**
   * A GPU × model deployment whose step times come from the roofline model (roofline.ts); when
   * given, ttftMs/perTokenMs/batchSlowdown/prefillMsPerToken are ignored and the KV cache and
   * scheduler limits default to what vLLM would use on that hardware.
   */
  preset?: PresetOptions | undefined;
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
  /** Requests in the running batch at once; the rest wait (vllm:num_requests_waiting) in FCFS order. @defaultValue Infinity (preset: vLLM's 256 or 1024) */
  maxNumSeqs?: number | undefined;
  /** Per-step token budget; longer prompts are prefilled in chunks. @defaultValue Infinity (preset: vLLM's 2048 or 8192) */
  maxNumBatchedTokens?: number | undefined;
  /** Reuse KV blocks of identical prompt prefixes across requests (vLLM --enable-prefix-caching). @defaultValue true */
  prefixCaching?: boolean | undefined;
  /** Speculative decoding: k draft tokens per step, each accepted with this probability. */
  speculative?: { draftTokens: number; acceptanceRate: number } | undefined;
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
  /**
   * The real tokenizer's ids, so prefix-cache block hashes are over real tokens (and the count is
   * exact). Without it, blocks hash deterministic pseudo-tokens cut from the text.
   */
  promptTokenizer?: ((text: string) => ArrayLike<number>) | undefined;
  /** Chat: tokens the chat template adds once per request (e.g. the generation prompt). @defaultValue 0 */
  chatTemplateTokens?: number | undefined;
  /**
   * The model's chat template applied to messages (llama.cpp's POST /apply-template).
   * @defaultValue ChatML (`<|im_start|>role\ncontent<|im_end|>\n`, then `<|im_start|>assistant\n`)
   */
  chatRender?: ((messages: ReadonlyArray<{ role: string; content: string }>) => string) | undefined;
  /** Token ids of text with special-token text parsed, without BOS (llama.cpp's POST /tokenize). @defaultValue promptTokenizer */
  textTokenIds?: ((text: string) => number[]) | undefined;
  /** Ids the tokenizer adds before a prompt (a BOS), for /tokenize with add_special. @defaultValue none */
  addedTokenIds?: readonly number[] | undefined;
  /** Chat: tokens the chat template adds around each message (role header, end-of-turn). @defaultValue 0 */
  chatMessageTokens?: number | undefined;
  /**
   * Chance that each generated token (after min_tokens) is EOS, unless the request sets ignore_eos.
   * 0 makes every output exactly max_tokens long. @defaultValue 0
   */
  eosProbability?: number | undefined;
  /**
   * Chat answers start with this many reasoning tokens (a reasoning model behind a reasoning
   * parser): streamed in the dialect's reasoning field (vLLM `delta.reasoning`, SGLang and
   * llama.cpp `delta.reasoning_content`) and counted in usage where the server reports them.
   * At least one answer token always follows. @defaultValue 0
   */
  reasoningTokens?: number | undefined;
  /** Seeds the EOS draws (a request's own `seed` takes precedence). @defaultValue 0 */
  seed?: number | undefined;
  /** Path of a JSONL ground-truth trace, one line per finished request (see TraceLine). */
  trace?: string | undefined;
  /**
   * KV cache size in blocks. Given (or from a preset), running out preempts requests; without it the
   * simple model's cache starts at 27315 blocks (for vllm:kv_cache_usage_perc) and grows instead.
   */
  kvCacheBlocks?: number | undefined;
  /** Tokens per KV block. @defaultValue 16 */
  kvBlockSize?: number | undefined;
  /** The real clock polls with setImmediate for the last spinMs before a step (precision vs CPU). @defaultValue 1 */
  spinMs?: number | undefined;
  /** Replaces the real clock (tests). */
  clock?: SchedulerClock | undefined;
  /** Which server to speak like: wire format, errors, routes, /metrics names. @defaultValue "vllm" */
  dialect?: DialectName | undefined;
  /** /health answers 503 (model loading) for this long after start. @defaultValue 0 */
  loadTimeMs?: number | undefined;
  /**
   * The engine's first step after start takes this much longer: the one-time warm-up a freshly
   * started server pays on its first requests (lazy CUDA module loading, JIT-compiled kernels, the
   * chat template's first compile; vLLM issue #16858, PR #30700). Every request in that step waits
   * for it. @defaultValue 0
   */
  coldStartMs?: number | undefined;
  /** Faults to inject: a spec string ("http500=0.05,reset=0.01,stall=0.01:5s,crash-after=100") or a parsed FaultSpec. */
  faults?: string | FaultSpec | undefined;
  /** Called for every injected fault (the simulator's own log); stats().faults counts them too. */
  onFault?: ((event: FaultEvent) => void) | undefined;
  /** Called when crash-after fires, after every connection was dropped (the CLI exits the process here). */
  onCrash?: (() => void) | undefined;
}

export interface FaultEvent {
  kind: FaultKind;
  /** Response id of the request it hit (absent for crash and never-ready). */
  requestId?: string;
  atMs: number;
}

export interface EngineLimits {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  kvBlocks: number;
  kvGrowable: boolean;
  blockSize: number;
  prefixCaching: boolean;
  spec: SpecDecodeOptions | undefined;
  coldStartMs: number;
}

export interface ResolvedSimulatorOptions {
  model: string;
  host: string;
  port: number;
  maxModelLen: number;
  timing: TimingModel;
  preset: ResolvedPreset | undefined;
  engine: EngineLimits;
  promptTokenizer: ((text: string) => ArrayLike<number>) | undefined;
  defaultMaxTokens: number | undefined;
  promptTokenCounter: (text: string) => number;
  chatTemplateTokens: number;
  chatMessageTokens: number;
  chatRender: ((messages: ReadonlyArray<{ role: string; content: string }>) => string) | undefined;
  textTokenIds: ((text: string) => number[]) | undefined;
  addedTokenIds: readonly number[];
  eosProbability: number;
  reasoningTokens: number;
  seed: number;
  trace: string | undefined;
  clock: SchedulerClock;
  dialect: Dialect;
  loadTimeMs: number;
  faults: FaultSpec;
  onFault: ((event: FaultEvent) => void) | undefined;
  onCrash: (() => void) | undefined;
}

export const DEFAULT_SIM_MODEL = "sim-model";

/** Fills defaults and validates; throws BenchError E_BAD_CONFIG naming the option. */
export function resolveSimulatorOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  const model = options.model ?? DEFAULT_SIM_MODEL;
  if (model.length === 0) bad("model", "must not be empty");
  const spinMs = check("spinMs", options.spinMs ?? 1, 0);
  const blockSize = integer("kvBlockSize", options.kvBlockSize ?? 16, 1);
  const limit = (name: string, value: number | undefined): number | undefined =>
    value === undefined || value === Infinity ? undefined : integer(name, value, 1);
  const maxNumSeqs = limit("maxNumSeqs", options.maxNumSeqs);
  const maxNumBatchedTokens = limit("maxNumBatchedTokens", options.maxNumBatchedTokens);
  const maxModelLen = options.maxModelLen === undefined ? undefined : integer("maxModelLen", options.maxModelLen, 1);
  const kvCacheBlocks = options.kvCacheBlocks === undefined ? undefined : integer("kvCacheBlocks", options.kvCacheBlocks, 1);
  const preset = options.preset === undefined ? undefined : resolvePreset(options.preset, { maxModelLen, maxNumSeqs, maxNumBatchedTokens, blockSize });
  const spec = options.speculative;
  if (spec !== undefined) {
    integer("speculative.draftTokens", spec.draftTokens, 0, 64);
    check("speculative.acceptanceRate", spec.acceptanceRate, 0, 1);
  }
  return {
    model,
    host: options.host ?? "127.0.0.1",
    port: integer("port", options.port ?? 0, 0, 65535),
    maxModelLen: preset?.maxModelLen ?? maxModelLen ?? 40960,
    timing:
      preset?.timing ??
      options.timing ??
      simpleTiming({
        ttftMs: options.ttftMs,
        perTokenMs: options.perTokenMs,
        batchSlowdown: options.batchSlowdown,
        prefillMsPerToken: options.prefillMsPerToken,
      }),
    preset,
    engine: {
      maxNumSeqs: preset?.maxNumSeqs ?? maxNumSeqs ?? Infinity,
      maxNumBatchedTokens: preset?.maxNumBatchedTokens ?? maxNumBatchedTokens ?? Infinity,
      kvBlocks: kvCacheBlocks ?? preset?.kvBlocks ?? 27315,
      kvGrowable: kvCacheBlocks === undefined && preset === undefined,
      blockSize,
      prefixCaching: options.prefixCaching ?? true,
      spec: spec === undefined || spec.draftTokens === 0 ? undefined : { ...spec, seed: options.seed ?? 0 },
      coldStartMs: check("coldStartMs", options.coldStartMs ?? 0, 0),
    },
    promptTokenizer: options.promptTokenizer,
    defaultMaxTokens: options.defaultMaxTokens === undefined ? undefined : integer("defaultMaxTokens", options.defaultMaxTokens, 1),
    promptTokenCounter: options.promptTokenCounter ?? ((text) => Math.ceil(text.length / 4)),
    chatTemplateTokens: integer("chatTemplateTokens", options.chatTemplateTokens ?? 0, 0),
    chatMessageTokens: integer("chatMessageTokens", options.chatMessageTokens ?? 0, 0),
    chatRender: options.chatRender,
    textTokenIds: options.textTokenIds,
    addedTokenIds: options.addedTokenIds ?? [],
    eosProbability: check("eosProbability", options.eosProbability ?? 0, 0, 1),
    reasoningTokens: integer("reasoningTokens", options.reasoningTokens ?? 0, 0),
    seed: integer("seed", options.seed ?? 0, Number.MIN_SAFE_INTEGER),
    trace: options.trace,
    clock: options.clock ?? realSchedulerClock(spinMs),
    dialect: dialectByName(options.dialect ?? "vllm"),
    loadTimeMs: check("loadTimeMs", options.loadTimeMs ?? 0, 0),
    faults: options.faults === undefined ? NO_FAULTS : typeof options.faults === "string" ? parseFaults(options.faults) : options.faults,
    onFault: options.onFault,
    onCrash: options.onCrash,
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
