// Owns exact floating-point summation (Shewchuk's algorithm, as Python's math.fsum): the sum is
// kept as non-overlapping partials and rounded once at the end, so the result is the correctly
// rounded sum whatever order the values come in. That is what lets a merge of shards reproduce a
// single run's mean and std bit for bit without re-reading tens of millions of values in order.

export class ExactSum {
  /** Non-overlapping, increasing in magnitude; their exact sum is the exact sum so far. */
  private partials: number[] = [];
  /** Sum of non-finite inputs (±Infinity, NaN): they make the result non-finite whatever the order. */
  private special = 0;

  add(x: number): void {
    if (!Number.isFinite(x)) {
      this.special += x;
      return;
    }
    const p = this.partials;
    let i = 0;
    for (let j = 0; j < p.length; j++) {
      let y = p[j] as number;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    if (x === 0) return;
    if (Number.isFinite(x)) p.push(x);
    else this.special += x; // intermediate overflow: the sum is beyond the double range anyway
  }

  addAll(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.add(values[i] as number);
    return this;
  }

  /** Adds another exact sum (its partials are exact, so nothing is rounded). */
  addSum(other: ExactSum): this {
    for (const x of other.partials) this.add(x);
    this.special += other.special;
    return this;
  }

  state(): { partials: number[]; special: number } {
    return { partials: [...this.partials], special: this.special };
  }

  addState(state: { partials: readonly number[]; special: number }): this {
    for (const x of state.partials) this.add(x);
    this.special += state.special;
    return this;
  }

  /** The correctly rounded (half to even) value of the exact sum. */
  value(): number {
    if (this.special !== 0 || Number.isNaN(this.special)) return this.special;
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n] as number;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n] as number;
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    // Half-way case: the rounding of hi + lo above may have gone the wrong way if the partials
    // below push the remainder past the half (the correction fsum makes).
    if (n > 0 && ((lo < 0 && (p[n - 1] as number) < 0) || (lo > 0 && (p[n - 1] as number) > 0))) {
      const y = lo * 2;
      const x = hi + y;
      const yr = x - hi;
      if (y === yr) hi = x;
    }
    return hi;
  }
}

const BASE = -576; // bit position of limb 0's lowest bit (a multiple of 32)
const LIMBS = 40;
const FAST_MIN_EXP = -512;
const FAST_MAX_EXP = 511;
const TWO32 = 2 ** 32;
const TWO64 = 2 ** 64;
const INV32 = 2 ** -32;
const INV64 = 2 ** -64;
/** 2^-(32k + BASE): scales a value so its lowest bit lands at bit 0 of limb k. */
const SCALE = Float64Array.from({ length: LIMBS }, (_, k) => 2 ** -(32 * k + BASE));
const bits = new Float64Array(1);
const bitsHi = new Uint32Array(bits.buffer, 4, 1);

/**
 * An exact sum at a few nanoseconds per value (a long accumulator): each value in the usual range
 * (2^-512 to 2^512) is split into 32-bit integer limbs added into float limbs, exact while a limb
 * stays under 2^53 (carries are propagated every 2^20 values); anything else goes to ExactSum.
 * value() is the correctly rounded sum, so it does not depend on the order of the values.
 */
export class FastExactSum {
  private readonly limbs = new Float64Array(LIMBS);
  private pending = 0;
  private readonly rest = new ExactSum();

  add(x: number): void {
    if (x === 0) return;
    bits[0] = x;
    const e = (((bitsHi[0] as number) >>> 20) & 0x7ff) - 1023;
    if (e < FAST_MIN_EXP || e > FAST_MAX_EXP) {
      this.rest.add(x); // subnormals, huge values, Infinity and NaN
      return;
    }
    const k = (e - 52 - BASE) >> 5;
    const y = x * (SCALE[k] as number); // an integer below 2^84: at most three limbs
    const t2 = Math.trunc(y * INV64);
    const r = y - t2 * TWO64;
    const t1 = Math.trunc(r * INV32);
    const limbs = this.limbs;
    limbs[k] = (limbs[k] as number) + (r - t1 * TWO32);
    limbs[k + 1] = (limbs[k + 1] as number) + t1;
    limbs[k + 2] = (limbs[k + 2] as number) + t2;
    if (++this.pending === 1 << 20) this.carry();
  }

  addAll(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.add(values[i] as number);
    return this;
  }

  /** Adds (v − mean)² for every value (the terms of a variance, each rounded once as written). */
  addSquaredDeviations(values: ArrayLike<number>, mean: number): this {
    for (let i = 0; i < values.length; i++) this.add(((values[i] as number) - mean) ** 2);
    return this;
  }

  /** Plain data (structured-cloneable, e.g. posted from a worker thread). */
  state(): ExactSumState {
    this.carry();
    return { limbs: this.limbs.slice(), rest: this.rest.state() };
  }

  static from(state: ExactSumState): FastExactSum {
    const s = new FastExactSum();
    s.limbs.set(state.limbs);
    s.rest.addState(state.rest);
    return s;
  }

  addSum(other: FastExactSum): this {
    other.carry();
    this.carry();
    for (let k = 0; k < LIMBS; k++) this.limbs[k] = (this.limbs[k] as number) + (other.limbs[k] as number);
    this.rest.addSum(other.rest);
    return this;
  }

  value(): number {
    this.carry();
    const s = new ExactSum().addSum(this.rest);
    for (let k = 0; k < LIMBS; k++) if (this.limbs[k] !== 0) s.add((this.limbs[k] as number) / (SCALE[k] as number));
    return s.value();
  }

  /** Brings every limb but the top back under 2^32 in magnitude (exact: integers below 2^53). */
  private carry(): void {
    const limbs = this.limbs;
    for (let k = 0; k < LIMBS - 1; k++) {
      const c = Math.trunc((limbs[k] as number) * INV32);
      limbs[k] = (limbs[k] as number) - c * TWO32;
      limbs[k + 1] = (limbs[k + 1] as number) + c;
    }
    this.pending = 0;
  }
}

export interface ExactSumState {
  limbs: Float64Array;
  rest: { partials: number[]; special: number };
}

/** The correctly rounded sum of every value of every array. */
export function exactSum(arrays: readonly ArrayLike<number>[]): number {
  const s = new FastExactSum();
  for (const a of arrays) s.addAll(a);
  return s.value();
}
