// Owns a sample held as several ascending Float64Arrays (one per shard) read as one ascending
// sequence without building it: the value at any rank by binary search across the parts, and the
// exact sum (order-free, metrics/exact-sum.ts), so a merge never copies tens of millions of values.

import { FastExactSum, type ExactSumState } from "./exact-sum.js";

export class SortedParts {
  readonly length: number;
  private readonly parts: readonly Float64Array[];
  private readonly sums: readonly (ExactSumState | undefined)[];

  /** `sums[k]`, when given, is the exact sum of parts[k], computed where the part was built. */
  constructor(parts: readonly Float64Array[], sums: readonly (ExactSumState | undefined)[] = []) {
    const live = parts.map((p, k) => ({ p, s: sums[k] })).filter((x) => x.p.length > 0);
    this.parts = live.map((x) => x.p);
    this.sums = live.map((x) => x.s);
    this.length = this.parts.reduce((a, p) => a + p.length, 0);
  }

  forEachPart(fn: (part: Float64Array) => void): void {
    for (const p of this.parts) fn(p);
  }

  /** The correctly rounded sum of every value. */
  sum(): number {
    const total = new FastExactSum();
    this.parts.forEach((p, k) => {
      const known = this.sums[k];
      if (known === undefined) total.addAll(p);
      else total.addSum(FastExactSum.from(known));
    });
    return total.value();
  }

  /**
   * The value at `rank` (0-based) of the merged ascending order, ties broken by part then index.
   * In part j, index i has merged rank i + #(values ≤ v in earlier parts) + #(values < v in later
   * parts), which grows with i: one binary search per part finds the rank.
   */
  at(rank: number): number {
    if (!(rank >= 0 && rank < this.length)) throw new RangeError(`rank ${rank} outside 0..${this.length - 1}`);
    const parts = this.parts;
    if (parts.length === 1) return (parts[0] as Float64Array)[rank] as number;
    for (let j = 0; j < parts.length; j++) {
      const part = parts[j] as Float64Array;
      let lo = 0;
      let hi = part.length - 1;
      while (lo <= hi) {
        const i = (lo + hi) >>> 1;
        const v = part[i] as number;
        let r = i;
        for (let m = 0; m < parts.length; m++) if (m !== j) r += countBelow(parts[m] as Float64Array, v, m < j);
        if (r === rank) return v;
        if (r < rank) lo = i + 1;
        else hi = i - 1;
      }
    }
    throw new Error(`rank ${rank} not found: parts are not sorted ascending`);
  }

  /** The values at `ranks` (those in range) as a sparse array-like that only defines those indices. */
  pick(ranks: Iterable<number>): ArrayLike<number> {
    const out: { length: number; [rank: number]: number } = { length: this.length };
    for (const r of ranks) if (r >= 0 && r < this.length && out[r] === undefined) out[r] = this.at(r);
    return out;
  }
}

/**
 * How many values of ascending `a` are < v (or ≤ v with `orEqual`), in the order
 * Float64Array.prototype.sort uses (−0 before +0), so a rank gives the very value the sorted
 * concatenation holds there.
 */
function countBelow(a: Float64Array, v: number, orEqual: boolean): number {
  let lo = 0;
  let hi = a.length;
  const vNegZero = Object.is(v, -0);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[mid] as number;
    const below = x < v || (x === 0 && v === 0 && Object.is(x, -0) && !vNegZero);
    const equal = x === v && (x !== 0 || Object.is(x, -0) === vNegZero);
    if (below || (orEqual && equal)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The ranks linear interpolation reads for percentile p of n values (metrics/stats.ts percentileSorted). */
export function percentileRanks(n: number, p: number): [number, number] {
  const lo = Math.floor((p / 100) * (n - 1));
  return [lo, Math.min(lo + 1, n - 1)];
}
