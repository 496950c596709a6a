// Tests for the seeded PRNG: determinism, range, independence of derived seeds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRng, deriveSeed, randomInt } from "./random.js";

describe("createRng", () => {
  it("repeats the same sequence for the same seed", () => {
    const a = createRng(42);
    const b = createRng(42);
    const seqA = Array.from({ length: 100 }, () => a());
    const seqB = Array.from({ length: 100 }, () => b());
    expect(seqA).toEqual(seqB);
  });

  it("gives different sequences for different seeds", () => {
    expect(createRng(1)()).not.toBe(createRng(2)());
  });

  it("stays in [0, 1) for any seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (seed) => {
        const rng = createRng(seed);
        for (let i = 0; i < 50; i++) {
          const x = rng();
          if (!(x >= 0 && x < 1)) return false;
        }
        return true;
      }),
    );
  });

  it("is roughly uniform", () => {
    const rng = createRng(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[randomInt(rng, 10)]! += 1;
    for (const n of buckets) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });
});

describe("deriveSeed", () => {
  it("is deterministic and separates salts", () => {
    expect(deriveSeed(5, 1, 2)).toBe(deriveSeed(5, 1, 2));
    const seen = new Set<number>();
    for (let seed = 0; seed < 20; seed++) for (let index = 0; index < 200; index++) seen.add(deriveSeed(seed, index));
    expect(seen.size).toBe(4000);
    expect(deriveSeed(5, 1)).not.toBe(deriveSeed(5, 1, 0));
  });
});
