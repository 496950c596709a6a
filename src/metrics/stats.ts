// Owns distribution summaries: mean, std, min/max and percentiles of a sample.
// Percentiles use linear interpolation between closest ranks (numpy's default, as vLLM's
// benchmark does), so results compare directly with `vllm bench serve`.

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
 * summarize() over an ascending-sorted sample. The merge of shard directories calls this
 * directly, so merged and single-run statistics share one arithmetic, operation for operation.
 */
export function summarizeSorted(sorted: Float64Array, percentiles: readonly number[]): Distribution | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of sorted) squares += (v - mean) ** 2;
  const out: Record<string, number> = {};
  for (const p of percentiles) out[percentileKey(p)] = percentileSorted(sorted, p);
  return {
    count: n,
    mean,
    median: percentileSorted(sorted, 50),
    // Population standard deviation (numpy's default, as vLLM reports it).
    std: Math.sqrt(squares / n),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    percentiles: out,
  };
}
