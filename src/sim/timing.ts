// Owns the simulator's timing model: the ONE interface through which the engine asks how long a
// prefill and a decode step take. Pure functions of load; no clocks, no I/O. A later
// vLLM-like model (paged KV, roofline step time) is another implementation of TimingModel.

import { BenchError } from "../errors.js";

export interface TtftContext {
  /** Prompt tokens of the request being admitted. */
  promptTokens: number;
  /** Requests already admitted (prefilling or decoding), not counting this one. */
  running: number;
  /** Requests queued behind the admission limit (maxNumSeqs). */
  waiting: number;
}

export interface StepContext {
  /** Streams that produce a token at the end of this step. */
  running: number;
  /** Sum over those streams of prompt + generated tokens: what a memory-bound roofline reads. */
  contextTokens: number;
}

export interface TimingModel {
  /** Delay from admission until the request's first token is ready (it is emitted at the next step boundary). */
  ttftMs(ctx: TtftContext): number;
  /** Duration of one decode step of the whole running batch: the time between consecutive tokens. */
  stepMs(ctx: StepContext): number;
}

export interface SimpleTimingOptions {
  /** Fixed part of the time to first token. @defaultValue 20 */
  ttftMs?: number | undefined;
  /** Time between tokens of a stream that runs alone. @defaultValue 10 */
  perTokenMs?: number | undefined;
  /** Fractional increase of the step time per extra running stream (0.01 = +1 % each). @defaultValue 0 */
  batchSlowdown?: number | undefined;
  /** Extra time to first token per prompt token. @defaultValue 0 */
  prefillMsPerToken?: number | undefined;
}

/**
 * Constant-ish timing: TTFT = ttftMs + prefillMsPerToken × promptTokens, and
 * step = perTokenMs × (1 + batchSlowdown × (running − 1)).
 * @example simpleTiming({ ttftMs: 50, perTokenMs: 20, batchSlowdown: 0.002 })
 */
export function simpleTiming(options: SimpleTimingOptions = {}): TimingModel {
  const ttftMs = nonNegative("ttftMs", options.ttftMs ?? 20);
  const perTokenMs = nonNegative("perTokenMs", options.perTokenMs ?? 10);
  const batchSlowdown = nonNegative("batchSlowdown", options.batchSlowdown ?? 0);
  const prefillMsPerToken = nonNegative("prefillMsPerToken", options.prefillMsPerToken ?? 0);
  return {
    ttftMs: (ctx) => ttftMs + prefillMsPerToken * ctx.promptTokens,
    stepMs: (ctx) => perTokenMs * (1 + batchSlowdown * Math.max(0, ctx.running - 1)),
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
