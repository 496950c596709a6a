// Several sorted parts read as one sample: any rank equals that rank of the sorted
// concatenation, sums are exact whatever the split, and summaries over parts are bit for bit
// those over the one merged array.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExactSum, FastExactSum } from "./exact-sum.js";
import { SortedParts } from "./sorted-parts.js";
import { summarizeSorted } from "./stats.js";

const doubles = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
// Few distinct values, so ties across parts are common.
const tied = fc.integer({ min: -3, max: 3 }).map((x) => x / 2);
const partsArb = fc.array(fc.array(fc.oneof(doubles, tied), { maxLength: 200 }), { maxLength: 6 });
const sortedParts = (parts: number[][]): Float64Array[] => parts.map((p) => Float64Array.from(p).sort());

describe("SortedParts", () => {
  it("finds every rank of the sorted concatenation", () => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        const all = Float64Array.from(parts.flat()).sort();
        const s = new SortedParts(sortedParts(parts));
        expect(s.length).toBe(all.length);
        for (let r = 0; r < all.length; r++) expect(s.at(r)).toBe(all[r]);
        expect(() => s.at(all.length)).toThrow(RangeError);
      }),
    );
  });

  it("orders −0 before +0, as the sorted concatenation does", () => {
    const s = new SortedParts([Float64Array.of(0), Float64Array.of(-0)]);
    expect([Object.is(s.at(0), -0), Object.is(s.at(1), 0)]).toEqual([true, true]);
  });

  it("picks only the ranks in range", () => {
    const picked = new SortedParts([Float64Array.of(1, 3), Float64Array.of(2)]).pick([-1, 1, 2, 3]);
    expect([picked.length, picked[1], picked[2], picked[3], picked[-1]]).toEqual([3, 2, 3, undefined, undefined]);
  });

  it("sums exactly, with or without the parts' own sums", () => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        const sorted = sortedParts(parts);
        const want = new ExactSum().addAll(parts.flat()).value();
        expect(new SortedParts(sorted).sum()).toBe(want);
        expect(
          new SortedParts(
            sorted,
            sorted.map((p) => new FastExactSum().addAll(p).state()),
          ).sum(),
        ).toBe(want);
      }),
    );
  });

  it("summarises parts exactly as the merged array", () => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        const all = Float64Array.from(parts.flat()).sort();
        const percentiles = [1, 25, 50, 90, 99, 99.9];
        expect(summarizeSorted(new SortedParts(sortedParts(parts)), percentiles)).toStrictEqual(summarizeSorted(all, percentiles));
      }),
    );
  });

  it("a summary of a plain array is the textbook one", () => {
    const d = summarizeSorted(Float64Array.from([1, 2, 3, 4]), [50, 90]);
    expect(d).toStrictEqual({ count: 4, mean: 2.5, median: 2.5, std: Math.sqrt(1.25), min: 1, max: 4, percentiles: { p50: 2.5, p90: 3.7 } });
  });
});
