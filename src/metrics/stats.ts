// Owns distribution summaries: mean, std, min/max and percentiles of a sample.
// Percentiles use linear interpolation between closest ranks (numpy's default, as vLLM's
// benchmark does), so results compare directly with `vllm bench serve`.

import { FastExactSum } from "./exact-sum.js";
import { percentileRanks, SortedParts } from "./sorted-parts.js";

export interface Distribution {
  count: number;
  mean: number;
  median: number;
  std: number;
  min: number;
  max: number;
  /** Keyed "p50", "p90", "p99.9", ... */
  percentiles: Record<string, number>;
}

export function percentileKey(p: number): string {
  return `p${p}`;
}

/** Linear-interpolated percentile of an ascending-sorted array; p in [0, 100]. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

/** Summarises a sample; returns undefined for an empty one (never NaN in outputs). */
export function summarize(values: readonly number[], percentiles: readonly number[]): Distribution | undefined {
  return summarizeSorted(Float64Array.from(values).sort(), percentiles);
}

/**
 * summarize() over an ascending-sorted sample, or over shards' ascending samples (SortedParts):
 * the merge of shard directories calls this, so merged and single-run statistics share one
 * arithmetic. Sums are exact and rounded once (metrics/exact-sum.ts), so they do not depend on the
 * order of the values, and percentiles read the same ranks: bit for bit the same numbers.
 */
export function summarizeSorted(sorted: Float64Array | SortedParts, percentiles: readonly number[]): Distribution | undefined {
  const parts = sorted instanceof SortedParts ? sorted : new SortedParts([sorted]);
  const n = parts.length;
  if (n === 0) return undefined;
  const mean = parts.sum() / n;
  const squares = new FastExactSum();
  parts.forEachPart((p) => squares.addSquaredDeviations(p, mean));
  const picked = parts.pick([0, n - 1, ...[50, ...percentiles].flatMap((p) => percentileRanks(n, p))]);
  const out: Record<string, number> = {};
  for (const p of percentiles) out[percentileKey(p)] = percentileSorted(picked, p);
  return {
    count: n,
    mean,
    median: percentileSorted(picked, 50),
    // Population standard deviation (numpy's default, as vLLM reports it).
    std: Math.sqrt(squares.value() / n),
    min: picked[0] as number,
    max: picked[n - 1] as number,
    percentiles: out,
  };
}
