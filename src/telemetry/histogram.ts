// Owns cumulative-histogram arithmetic: merging label sets, deltas between scrapes (with reset
// detection) and quantiles interpolated within buckets exactly like Prometheus histogram_quantile.

/** A cumulative Prometheus histogram: buckets ascending by `le`, the last one `le: Infinity`. */
export interface Histogram {
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

/**
 * Adds histograms bucket-wise by `le`. Engines use the same boundaries across ranks; if they
 * did not, a bucket missing from one series would be under-counted, which we accept.
 */
export function mergeHistograms(hists: readonly Histogram[]): Histogram | null {
  if (hists.length === 0) return null;
  const byLe = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const h of hists) {
    for (const b of h.buckets) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count);
    sum += h.sum;
    count += h.count;
  }
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c }));
  return { buckets, sum, count };
}

/** True when `cur` cannot follow `prev` without a restart (any cumulative value went down). */
export function histogramWasReset(prev: Histogram, cur: Histogram): boolean {
  if (cur.count < prev.count) return true;
  const prevByLe = new Map(prev.buckets.map((b) => [b.le, b.count]));
  return cur.buckets.some((b) => b.count < (prevByLe.get(b.le) ?? 0));
}

/** Observations made between two scrapes; after a reset the new histogram is the delta. */
export function histogramDelta(prev: Histogram, cur: Histogram): Histogram {
  if (histogramWasReset(prev, cur)) return cur;
  const prevByLe = new Map(prev.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: cur.buckets.map((b) => ({ le: b.le, count: b.count - (prevByLe.get(b.le) ?? 0) })),
    sum: cur.sum - prev.sum,
    count: cur.count - prev.count,
  };
}

/** Where the q-quantile fell: its interpolated value and the bucket bounds around it. */
export interface QuantileEstimate {
  value: number;
  lowerBound: number;
  upperBound: number;
}

/**
 * Prometheus `histogram_quantile` (promql/quantile.go bucketQuantile): linear interpolation
 * inside the bucket holding rank q·count; the lowest bucket starts at 0; a rank in the +Inf
 * bucket returns the highest finite bound. Null when there are no observations.
 * @example histogramQuantile(0.5, { buckets: [{ le: 1, count: 2 }, { le: Infinity, count: 2 }], sum: 1, count: 2 })?.value === 0.5
 */
export function histogramQuantile(q: number, h: Histogram): QuantileEstimate | null {
  const buckets = monotonic(h.buckets);
  const last = buckets[buckets.length - 1];
  if (buckets.length < 2 || last === undefined || last.le !== Infinity) return null;
  const observations = last.count;
  if (!(observations > 0)) return null;
  let rank = q * observations;
  let b = buckets.findIndex((bucket, i) => i < buckets.length - 1 && bucket.count >= rank);
  if (b === -1) b = buckets.length - 1;
  const prev = buckets[b - 1];
  if (b === buckets.length - 1) {
    const bound = prev?.le ?? 0;
    return { value: bound, lowerBound: bound, upperBound: Infinity };
  }
  const bucket = buckets[b] as { le: number; count: number };
  if (b === 0 && bucket.le <= 0) return { value: bucket.le, lowerBound: bucket.le, upperBound: bucket.le };
  const start = prev?.le ?? 0;
  let inBucket = bucket.count;
  if (prev !== undefined) {
    inBucket -= prev.count;
    rank -= prev.count;
  }
  const value = inBucket > 0 ? start + (bucket.le - start) * (rank / inBucket) : bucket.le;
  return { value, lowerBound: start, upperBound: bucket.le };
}

/** Cumulative counts can dip by float noise when label sets are summed; force them monotone. */
function monotonic(buckets: readonly { le: number; count: number }[]): { le: number; count: number }[] {
  let max = 0;
  return buckets.map((b) => {
    max = Math.max(max, b.count);
    return { le: b.le, count: max };
  });
}
