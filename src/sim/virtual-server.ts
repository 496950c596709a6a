// Owns the simulator without HTTP: the same option resolution, request parsing, output plan,
// prefix hashing and engine as the HTTP server, answering with emission times instead of bytes.
// Used by `servebench predict` (virtual time) and calibration; the clock is always injected.

import { generatedTokenIds, promptKeys } from "./block-hash.js";
import type { PromptContent, PromptKeys } from "./block-hash.js";
import { StepEngine } from "./engine.js";
import type { StepRecord } from "./engine.js";
import { resolveSimulatorOptions } from "./options.js";
import type { ResolvedSimulatorOptions, SimulatorOptions } from "./options.js";
import { mixSeed, planOutput, tokenText } from "./output-plan.js";
import { parseRequest } from "./parse-request.js";
import type { SchedulerClock } from "./scheduler-clock.js";
import type { Endpoint, WireError } from "./vllm-wire.js";

export interface VirtualChunk {
  /** Emission time on the injected clock. */
  atMs: number;
  tokens: number;
  chars: number;
}

export interface VirtualResult {
  /** False when the request was refused (e.g. context too long) or could never fit the KV cache. */
  ok: boolean;
  error?: WireError;
  arrivalMs: number;
  chunks: VirtualChunk[];
  promptTokens: number;
  completionTokens: number;
  finishReason: "stop" | "length" | "abort" | "error";
}

/** The answer's text exactly as the HTTP simulator streams it (an EOS token carries none): the history of a session's next turn. */
export function answerText(result: Pick<VirtualResult, "completionTokens" | "finishReason">): string {
  const visible = result.completionTokens - (result.finishReason === "stop" && result.completionTokens > 0 ? 1 : 0);
  let text = "";
  for (let i = 0; i < visible; i++) text += tokenText(i);
  return text;
}

/** The engine for resolved options: the one construction both the HTTP and the virtual server use. */
export function engineFromOptions(o: ResolvedSimulatorOptions, onStep?: (s: StepRecord) => void): StepEngine {
  const e = o.engine;
  return new StepEngine({
    timing: o.timing,
    clock: o.clock,
    maxNumSeqs: e.maxNumSeqs,
    maxNumBatchedTokens: e.maxNumBatchedTokens,
    kvBlocks: e.kvBlocks,
    kvGrowable: e.kvGrowable,
    blockSize: e.blockSize,
    prefixCaching: e.prefixCaching,
    spec: e.spec,
    coldStartMs: e.coldStartMs,
    onStep,
  });
}

/**
 * @example
 * const sim = new VirtualSimulator({ clock: manualSchedulerClock(0), preset: { gpu: "H100-SXM", model: "Qwen/Qwen3-8B" } });
 * sim.request("completions", { prompt: "Hi", max_tokens: 8, ignore_eos: true }).then((r) => r.chunks);
 */
export class VirtualSimulator {
  readonly options: ResolvedSimulatorOptions;
  readonly engine: StepEngine;
  #seq = 0;

  readonly #hashMemo: Map<string, PromptKeys> | undefined;
  readonly #generatedTokenId: (i: number) => number;

  /** `hashMemo`: prompt text → prefix-cache keys, shared by repeated predictions of one workload. */
  constructor(options: SimulatorOptions & { clock: SchedulerClock }, onStep?: (s: StepRecord) => void, hashMemo?: Map<string, PromptKeys>) {
    this.options = resolveSimulatorOptions(options);
    this.engine = engineFromOptions(this.options, onStep);
    this.#hashMemo = hashMemo;
    this.#generatedTokenId = generatedTokenIds(this.options.promptTokenizer);
  }

  /** Runs one request body through the simulated server; resolves when its last token is emitted (never rejects). */
  request(endpoint: Endpoint, body: unknown, signal?: AbortSignal): Promise<VirtualResult> {
    const o = this.options;
    const arrivalMs = o.clock.nowMs();
    const refused = (error: WireError): VirtualResult => ({
      ok: false,
      error,
      arrivalMs,
      chunks: [],
      promptTokens: 0,
      completionTokens: 0,
      finishReason: "error",
    });
    const parsed = parseRequest(endpoint, body, {
      model: o.model,
      maxModelLen: o.maxModelLen,
      defaultMaxTokens: o.defaultMaxTokens,
      countPromptTokens: o.promptTokenCounter,
      chatTemplateTokens: o.chatTemplateTokens,
      chatMessageTokens: o.chatMessageTokens,
    });
    if (!parsed.ok) return Promise.resolve(refused(parsed.error));
    const request = parsed.request;
    const seed = request.seed !== undefined ? mixSeed(request.seed, -1) : mixSeed(o.seed, this.#seq++);
    const plan = planOutput({ ...request, eosProbability: o.eosProbability, seed });
    const keys = o.engine.prefixCaching ? this.#keys(request.promptContent, request.promptTokens) : undefined;
    return new Promise((resolve) => {
      const result: VirtualResult = {
        ok: true,
        arrivalMs,
        chunks: [],
        promptTokens: request.promptTokens,
        completionTokens: 0,
        finishReason: "length",
      };
      const onAbort = (): void => {
        ticket.cancel();
        resolve({ ...result, finishReason: "abort" });
      };
      const ticket = this.engine.submit({
        promptTokens: request.promptTokens,
        outputTokens: plan.tokens,
        promptHashes: keys?.hashes,
        promptTailIds: keys?.tailIds,
        generatedTokenId: keys === undefined ? undefined : this.#generatedTokenId,
        onAdmitted: () => undefined,
        onTokens: (first, count, atMs, last) => {
          let chars = 0;
          const end = last && plan.finishReason === "stop" ? first + count - 1 : first + count;
          for (let i = first; i < end; i++) chars += tokenText(i).length;
          result.chunks.push({ atMs, tokens: count, chars });
          result.completionTokens += count;
          if (!last) return;
          result.finishReason = plan.finishReason;
          signal?.removeEventListener("abort", onAbort);
          resolve(result);
        },
        onRejected: (reason) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(refused({ status: 500, message: reason, type: "InternalServerError", param: null }));
        },
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #keys(content: PromptContent, tokens: number): PromptKeys {
    const o = this.options;
    const key = typeof content === "string" && this.#hashMemo !== undefined ? `${tokens}\u0000${content}` : undefined;
    const cached = key === undefined ? undefined : this.#hashMemo?.get(key);
    if (cached !== undefined) return cached;
    const keys = promptKeys(content, tokens, o.engine.blockSize, o.promptTokenizer);
    if (key !== undefined) this.#hashMemo?.set(key, keys);
    return keys;
  }

  stop(): void {
    this.engine.stop();
  }
}
