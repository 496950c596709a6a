// The chunked number buffer keeps every value in order, across chunk boundaries.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GrowableF64 } from "./level-partial.js";

describe("GrowableF64", () => {
  it("takes back exactly what was pushed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.integer(), (n, seed) => {
        const g = new GrowableF64();
        const want = Float64Array.from({ length: n }, (_, i) => (i * 7919 + seed) % 1000.5);
        for (const v of want) g.push(v);
        expect(g.length).toBe(n);
        expect(g.take()).toEqual(want);
      }),
      { numRuns: 40 },
    );
  });
});
