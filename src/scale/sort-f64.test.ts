// The radix sort orders exactly like Float64Array.prototype.sort; merging sorted parts equals
// sorting their concatenation.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeSorted, sortF64 } from "./sort-f64.js";

const doubles = fc.double({ noNaN: true });

describe("sortF64 / mergeSorted", () => {
  it("sorts like the built-in sort (negatives, ±0, infinities, subnormals)", () => {
    fc.assert(
      fc.property(fc.array(doubles, { minLength: 4100, maxLength: 6000 }), (values) => {
        const a = Float64Array.from(values);
        expect(sortF64(Float64Array.from(values))).toEqual(a.sort());
      }),
      { numRuns: 20 },
    );
  });

  it("merges sorted parts into the sort of their concatenation", () => {
    fc.assert(
      fc.property(fc.array(fc.array(doubles, { maxLength: 300 }), { maxLength: 6 }), (parts) => {
        const sorted = parts.map((p) => Float64Array.from(p).sort());
        expect(mergeSorted(sorted)).toEqual(Float64Array.from(parts.flat()).sort());
      }),
    );
  });
});
