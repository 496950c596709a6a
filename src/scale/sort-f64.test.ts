// The radix sort orders exactly like Float64Array.prototype.sort.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sortF64 } from "./sort-f64.js";

const doubles = fc.double({ noNaN: true });

describe("sortF64", () => {
  it("sorts like the built-in sort (negatives, ±0, infinities, subnormals)", () => {
    fc.assert(
      fc.property(fc.array(doubles, { minLength: 4100, maxLength: 6000 }), (values) => {
        const a = Float64Array.from(values);
        expect(sortF64(Float64Array.from(values))).toEqual(a.sort());
      }),
      { numRuns: 20 },
    );
  });
});
