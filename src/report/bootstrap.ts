// Owns bootstrap confidence intervals for the change of a statistic between two runs.
// Resamples *requests* with replacement (a request's ITL gaps move together), with a seeded RNG
// so the same inputs give the same interval; O(values) per resample, no sorting inside the loop.

import { createRng } from "../workload/random.js";

/** Values sorted ascending, each tagged with the request (group) it came from. */
export interface GroupedSample {
  values: Float64Array;
  groups: Uint32Array;
  groupCount: number;
}

export type Statistic = "mean" | `p${number}`;

/** Builds a sample from per-request value lists (one value for TTFT, many gaps for ITL). */
export function groupedSample(perRequest: ReadonlyArray<ArrayLike<number>>): GroupedSample {
  const pairs: Array<[number, number]> = [];
  perRequest.forEach((vals, g) => {
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i] as number;
      if (Number.isFinite(v)) pairs.push([v, g]);
    }
  });
  pairs.sort((a, b) => a[0] - b[0]);
  return { values: Float64Array.from(pairs, (p) => p[0]), groups: Uint32Array.from(pairs, (p) => p[1]), groupCount: perRequest.length };
}

/** The statistic over the sample with each value weighted by how often its request was drawn. */
export function weightedStatistic(sample: GroupedSample, weights: ArrayLike<number> | null, stat: Statistic): number {
  const { values, groups } = sample;
  const w = (i: number): number => (weights === null ? 1 : (weights[groups[i] as number] as number));
  let total = 0;
  for (let i = 0; i < values.length; i++) total += w(i);
  if (total === 0) return NaN;
  if (stat === "mean") {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += w(i) * (values[i] as number);
    return sum / total;
  }
  // Linear interpolation between closest ranks of the expanded sample (numpy's default, as stats.ts).
  const rank = (Number(stat.slice(1)) / 100) * (total - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, total - 1);
  let cumulative = 0;
  let atLo = NaN;
  for (let i = 0; i < values.length; i++) {
    const wi = w(i);
    if (wi === 0) continue;
    cumulative += wi;
    if (Number.isNaN(atLo) && lo < cumulative) atLo = values[i] as number;
    if (hi < cumulative) return atLo + ((values[i] as number) - atLo) * (rank - lo);
  }
  return values[values.length - 1] as number;
}

/** One bootstrap draw: how many times each request is picked (n draws from n, with replacement). */
function draw(weights: Uint32Array, rng: () => number): void {
  const n = weights.length;
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rng() * n);
    weights[k] = (weights[k] as number) + 1;
  }
}

export interface ChangeInterval {
  /** Relative change B/A − 1 at the bounds of the interval. */
  low: number;
  high: number;
  resamples: number;
}

/**
 * Percentile-bootstrap interval of the relative change of `stat` from sample A to sample B.
 * @example bootstrapChange(a, b, "p99", { seed: 0 }) // { low: -0.03, high: 0.08, resamples: 1000 }
 */
export function bootstrapChange(
  a: GroupedSample,
  b: GroupedSample,
  stat: Statistic,
  options: { seed?: number; resamples?: number; confidence?: number } = {},
): ChangeInterval | null {
  if (a.groupCount < 2 || b.groupCount < 2) return null;
  // Bound the work on huge samples: fewer resamples, never fewer than 200.
  const budget = 4e7 / Math.max(1, a.values.length + b.values.length);
  const resamples = Math.max(200, Math.min(options.resamples ?? 1000, Math.floor(budget)));
  const rng = createRng(options.seed ?? 0);
  const wa = new Uint32Array(a.groupCount);
  const wb = new Uint32Array(b.groupCount);
  const changes = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    wa.fill(0);
    wb.fill(0);
    draw(wa, rng);
    draw(wb, rng);
    const sa = weightedStatistic(a, wa, stat);
    const sb = weightedStatistic(b, wb, stat);
    changes[r] = sa === 0 ? NaN : sb / sa - 1;
  }
  const finite = changes.filter((c) => Number.isFinite(c)).sort();
  if (finite.length === 0) return null;
  const alpha = (1 - (options.confidence ?? 0.95)) / 2;
  const at = (q: number): number => finite[Math.min(finite.length - 1, Math.max(0, Math.round(q * (finite.length - 1))))] as number;
  return { low: at(alpha), high: at(1 - alpha), resamples };
}
