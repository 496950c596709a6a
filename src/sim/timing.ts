// Owns the simulator's timing model: the ONE interface through which the engine asks how long the
// API server holds a request before the engine sees it, and how long one engine step takes.
// Pure functions of load; no clocks, no I/O. The roofline model (roofline.ts) is the other implementation.

import { BenchError } from "../errors.js";

export interface TtftContext {
  /** Prompt tokens of the arriving request. */
  promptTokens: number;
  /** Requests in the engine's running batch. */
  running: number;
  /** Requests in the engine's waiting queue. */
  waiting: number;
}

/** One engine step's batch, as the scheduler built it (vLLM V1: decode rows first, then prefill chunks). */
export interface StepContext {
  /** Sequences in the batch: decode rows plus prefill chunks. */
  running: number;
  /** Σ over decode rows of the tokens they attend to (prompt + generated). */
  contextTokens: number;
  decodeSeqs: number;
  /** Tokens decode rows compute: decodeSeqs × (1 + draftTokens). */
  decodeTokens: number;
  /** Prompt (or recomputed) tokens prefill chunks compute. */
  prefillTokens: number;
  /** Σ cᵢ·(pᵢ + cᵢ/2) over chunks of cᵢ new tokens on pᵢ already-computed ones: causal attention work. */
  prefillAttentionWork: number;
  /** Σ (pᵢ + cᵢ): KV tokens the prefill chunks read. */
  prefillContextTokens: number;
  /** KV tokens all rows read from memory, a block shared by several rows (prefix cache) counted once. */
  kvReadTokens: number;
  /** Rows that run the lm_head: decode rows and prefill chunks that complete their prompt. */
  sampledRows: number;
  /** Speculative draft tokens verified per decode row (0 when off). */
  draftTokens: number;
}

export interface TimingModel {
  /** Time the API server holds an arriving request (parsing, tokenisation) before the engine queues it. */
  ttftMs(ctx: TtftContext): number;
  /** Duration of one engine step running this batch; tokens it samples are emitted at its end. */
  stepMs(ctx: StepContext): number;
}

export interface SimpleTimingOptions {
  /** Fixed part of the time to first token (held before the engine queues the request). @defaultValue 20 */
  ttftMs?: number | undefined;
  /** Time between tokens of a stream that runs alone. @defaultValue 10 */
  perTokenMs?: number | undefined;
  /** Fractional increase of the step time per extra running stream (0.01 = +1 % each). @defaultValue 0 */
  batchSlowdown?: number | undefined;
  /** Step time per prompt token prefilled in the step (delays the first token and every stream in that step). @defaultValue 0 */
  prefillMsPerToken?: number | undefined;
}

/**
 * Constant-ish timing: the request waits ttftMs before the engine sees it; a step that decodes
 * takes perTokenMs × (1 + batchSlowdown × (running − 1)), plus prefillMsPerToken per prompt token
 * it prefills (a prefill-only step takes just the latter). On an idle engine TTFT = ttftMs +
 * prefillMsPerToken × promptTokens, and tokens then follow perTokenMs apart.
 * @example simpleTiming({ ttftMs: 50, perTokenMs: 20, batchSlowdown: 0.002 })
 */
export function simpleTiming(options: SimpleTimingOptions = {}): TimingModel {
  const ttftMs = nonNegative("ttftMs", options.ttftMs ?? 20);
  const perTokenMs = nonNegative("perTokenMs", options.perTokenMs ?? 10);
  const batchSlowdown = nonNegative("batchSlowdown", options.batchSlowdown ?? 0);
  const prefillMsPerToken = nonNegative("prefillMsPerToken", options.prefillMsPerToken ?? 0);
  return {
    ttftMs: () => ttftMs,
    stepMs: (ctx) => (ctx.decodeSeqs > 0 ? perTokenMs * (1 + batchSlowdown * Math.max(0, ctx.running - 1)) : 0) + prefillMsPerToken * ctx.prefillTokens,
  };
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new BenchError("E_BAD_CONFIG", `simulator option ${name} must be a finite number >= 0, got ${String(value)}`, {
      where: name,
    });
  }
  return value;
}
