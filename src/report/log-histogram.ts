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
    this.counts[binOf(value)]++;
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

function binOf(value: number): number {
  if (value <= 10 ** MIN_EXP) return 0;
  const i = Math.floor((Math.log10(value) - MIN_EXP) * BINS_PER_DECADE) + 1;
  return i > BIN_COUNT ? BIN_COUNT + 1 : i;
}

function upperEdge(bin: number): number {
  if (bin === 0) return 10 ** MIN_EXP;
  if (bin > BIN_COUNT) return Infinity;
  return 10 ** (MIN_EXP + bin / BINS_PER_DECADE);
}
