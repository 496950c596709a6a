// Exact summation: the correctly rounded sum (checked against Python's math.fsum results and
// against exact rational arithmetic with BigInt), the same for every order and every split.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExactSum, exactSum, FastExactSum } from "./exact-sum.js";

/** The exact value of a finite double as a BigInt numerator over 2^1074. */
function scaled(x: number): bigint {
  if (x === 0) return 0n;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp !== 0) mant |= 1n << 52n;
  const shift = BigInt(Math.max(exp, 1) - 1075 + 1074);
  const v = mant << shift;
  return x < 0 ? -v : v;
}

/** Is `got` the double nearest to the exact rational `num / 2^1074` (ties to even)? */
function correctlyRounded(got: number, num: bigint): boolean {
  const err = scaled(got) - num < 0n ? num - scaled(got) : scaled(got) - num;
  for (const neighbour of [nextUp(got), nextDown(got)]) {
    const d = scaled(neighbour) - num;
    const e = d < 0n ? -d : d;
    if (e < err) return false;
  }
  return true;
}

function nextUp(x: number): number {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  if (x === 0) return Number.MIN_VALUE;
  buf.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

const nextDown = (x: number): number => -nextUp(-x);

const wide = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 });
const narrow = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 });
const tiny = fc.double({ noNaN: true, min: -1e-300, max: 1e-300 });

describe("exact summation", () => {
  it("matches math.fsum on its classic cases", () => {
    expect(exactSum([[1e-16, 1, 1e16]])).toBe(10000000000000002);
    expect(exactSum([Array(10).fill(0.1)])).toBe(1);
    expect(exactSum([[1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]])).toBe(1e-100);
    expect(exactSum([[2 ** 53, -0.5, -(2 ** -54)]])).toBe(9007199254740991);
    expect(exactSum([[]])).toBe(0);
    expect(exactSum([[1, Infinity]])).toBe(Infinity);
    expect(exactSum([[Infinity, -Infinity]])).toBeNaN();
  });

  it("is the correctly rounded sum, in any order and any split", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(wide, narrow, tiny), { maxLength: 60 }), fc.nat(), (xs, cut) => {
        const got = exactSum([xs]);
        const exact = xs.reduce((a, x) => a + scaled(x), 0n);
        expect(correctlyRounded(got, exact)).toBe(true);
        expect(exactSum([[...xs].reverse()])).toBe(got);
        const at = xs.length === 0 ? 0 : cut % xs.length;
        const left = new FastExactSum().addAll(xs.slice(0, at));
        const right = FastExactSum.from(new FastExactSum().addAll(xs.slice(at)).state());
        expect(left.addSum(right).value()).toBe(got);
        expect(new ExactSum().addAll(xs).value()).toBe(got);
      }),
      { numRuns: 300 },
    );
  });

  it("stays exact past the carry interval", () => {
    const s = new FastExactSum();
    for (let i = 0; i < (1 << 20) + 5; i++) s.add(4294967295.75);
    expect(s.value()).toBe(4294967295.75 * ((1 << 20) + 5));
  });
});
