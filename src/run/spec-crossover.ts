// Owns speculative decoding's crossover for `predict`: the concurrency above which the same
// deployment without speculation decodes more tokens per second. Steady-state decode steps of the
// roofline engine (no requests, no clock), with each configuration's own KV-cache capacity.

import { expectedTokensPerStep, resolveSimulatorOptions } from "../sim/index.js";
import type { ResolvedSimulatorOptions, StepContext, TimingModel } from "../sim/index.js";
import type { PredictSimOptions } from "./predict.js";

export interface SpecPoint {
  concurrency: number;
  /** Decode tokens/s with speculation over without, at this many streams (each capped by its KV cache). */
  ratio: number;
}

export interface SpecCrossover {
  draftTokens: number;
  acceptanceRate: number;
  tokensPerStep: number;
  points: SpecPoint[];
  /** First concurrency of `points` where speculation is slower; undefined when it never is. */
  crossover: number | undefined;
}

const LEVELS = [1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024];

/** Streams that decode at once: the concurrency, capped by max_num_seqs and by the KV cache at this context. */
function batchOf(r: ResolvedSimulatorOptions, concurrency: number, contextTokens: number, lookahead: number): number {
  const kvTokens = r.engine.kvBlocks * r.engine.blockSize;
  return Math.max(1, Math.min(concurrency, r.engine.maxNumSeqs, Math.floor(kvTokens / (contextTokens + lookahead))));
}

function decodeStep(batch: number, contextTokens: number, draftTokens: number): StepContext {
  return {
    running: batch,
    contextTokens: batch * contextTokens,
    decodeSeqs: batch,
    decodeTokens: batch * (1 + draftTokens),
    prefillTokens: 0,
    prefillAttentionWork: 0,
    prefillContextTokens: 0,
    kvReadTokens: batch * contextTokens,
    sampledRows: batch,
    draftTokens,
  };
}

const tokensPerS = (timing: TimingModel, batch: number, contextTokens: number, k: number, perStep: number): number =>
  (1000 * batch * perStep) / timing.stepMs(decodeStep(batch, contextTokens, k));

/**
 * Where speculative decoding stops paying, for a sim with `speculative` and a GPU preset; undefined
 * otherwise. `contextTokens`: the tokens a decoding stream attends to on average (prompt + half the answer).
 */
export function specCrossover(sim: PredictSimOptions, contextTokens: number): SpecCrossover | undefined {
  const spec = sim.speculative;
  if (spec === undefined || spec.draftTokens === 0 || sim.preset === undefined) return undefined;
  const withSpec = resolveSimulatorOptions(sim);
  const without = resolveSimulatorOptions({ ...sim, speculative: undefined, preset: { ...sim.preset, draftModel: undefined } });
  const k = spec.draftTokens;
  const perStep = expectedTokensPerStep(k, spec.acceptanceRate);
  const points = LEVELS.filter((c) => c <= Math.max(withSpec.engine.maxNumSeqs, without.engine.maxNumSeqs)).map((c) => ({
    concurrency: c,
    ratio:
      tokensPerS(withSpec.timing, batchOf(withSpec, c, contextTokens, k), contextTokens, k, perStep) /
      tokensPerS(without.timing, batchOf(without, c, contextTokens, 0), contextTokens, 0, 1),
  }));
  return { draftTokens: k, acceptanceRate: spec.acceptanceRate, tokensPerStep: perStep, points, crossover: points.find((p) => p.ratio < 1)?.concurrency };
}

/** One line for predict's stderr. */
export function describeCrossover(x: SpecCrossover): string {
  const at = (c: number): string => {
    const p = x.points.find((q) => q.concurrency === c);
    return p === undefined ? "" : `×${p.ratio.toFixed(2)} at c=${c}`;
  };
  const shown = [1, 8, 32, 128].map(at).filter((s) => s !== "");
  const head = `speculative decoding (k=${x.draftTokens}, acceptance ${x.acceptanceRate}: ${x.tokensPerStep.toFixed(2)} tokens per step)`;
  const first = x.points[0]?.concurrency;
  const where =
    x.crossover === undefined
      ? "faster than without at every concurrency up to max_num_seqs"
      : x.crossover === first
        ? "slower than without at every concurrency"
        : `crossover at concurrency ${x.crossover}: faster than without below it, slower from there on`;
  return `${head}: ${where} (decode tokens/s ${shown.join(", ")})`;
}
