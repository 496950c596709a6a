// Owns a fixed-memory histogram on log-spaced bins (20 per decade, ~12% wide) with exact
// count, min and max: distributions of millions of values in a few KB, tails kept.

const BINS_PER_DECADE = 20;
const MIN_EXP = -3; // 0.001 (ms)
const MAX_EXP = 8; // 1e8 (ms ≈ 28 h)
const BIN_COUNT = (MAX_EXP - MIN_EXP) * BINS_PER_DECADE;

export class LogHistogram {
  readonly counts = new Float64Array(BIN_COUNT + 2);
  count = 0;
  min = Infinity;
  max = -Infinity;

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const bin = binOf(value);
    this.counts[bin] = (this.counts[bin] as number) + 1;
  }

  /** Adds another histogram's counts (digests of file parts merge into one). */
  merge(other: LogHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] = (this.counts[i] as number) + (other.counts[i] as number);
    this.count += other.count;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** Plain data for postMessage; `fromData` rebuilds the instance. */
  toData(): { counts: Float64Array; count: number; min: number; max: number } {
    return { counts: this.counts, count: this.count, min: this.min, max: this.max };
  }

  static fromData(data: { counts: Float64Array; count: number; min: number; max: number }): LogHistogram {
    const h = new LogHistogram();
    h.counts.set(data.counts);
    h.count = data.count;
    h.min = data.min;
    h.max = data.max;
    return h;
  }

  /** Empirical CDF as [value, fraction ≤ value] points: bin upper edges, ending exactly at max. */
  cdf(): Array<[number, number]> {
    if (this.count === 0) return [];
    const points: Array<[number, number]> = [[this.min, 0]];
    let cumulative = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i] as number;
      if (c === 0) continue;
      cumulative += c;
      const edge = Math.min(upperEdge(i), this.max);
      points.push([Math.max(edge, this.min), cumulative / this.count]);
    }
    const last = points[points.length - 1];
    if (last) last[0] = this.max;
    return points;
  }
}

/** UPPER[i] = upper edge of bin i; bin 0 holds values ≤ 10^MIN_EXP, the last one the overflow. */
const UPPER = Float64Array.from({ length: BIN_COUNT + 2 }, (_, i) => upperEdge(i));
let lastBin = 1;

/** Bin of a value: the cached last bin when it fits (neighbouring values cluster), else a binary search. */
function binOf(value: number): number {
  if (value <= (UPPER[0] as number)) return 0;
  if (value >= (UPPER[lastBin - 1] as number) && value < (UPPER[lastBin] as number)) return lastBin;
  let lo = 1;
  let hi = BIN_COUNT + 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value < (UPPER[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  lastBin = lo;
  return lo;
}

function upperEdge(bin: number): number {
  if (bin === 0) return 10 ** MIN_EXP;
  if (bin > BIN_COUNT) return Infinity;
  return 10 ** (MIN_EXP + bin / BINS_PER_DECADE);
}
