// Unit: predict's speculative-decoding crossover: a draft model wins on few streams and loses on
// many; free drafting with perfect acceptance wins further out; no speculation, no crossover.

import { describe, expect, it } from "vitest";
import { describeCrossover, specCrossover } from "./spec-crossover.js";

const B200_32B = { gpu: "B200", model: "Qwen/Qwen3-32B" };

describe("speculative decoding crossover", () => {
  it("seed 000's draft: faster alone, slower at the seed's batch of 50", () => {
    const x = specCrossover(
      { preset: { ...B200_32B, draftModel: "Qwen/Qwen3-14B-AWQ" }, maxModelLen: 8192, speculative: { draftTokens: 5, acceptanceRate: 0.7 } },
      1200,
    );
    if (x === undefined) throw new Error("no crossover computed");
    expect(x.points[0]).toMatchObject({ concurrency: 1 });
    expect(x.points[0]?.ratio).toBeGreaterThan(1);
    expect(x.crossover).toBeGreaterThan(1);
    expect(x.crossover).toBeLessThanOrEqual(48);
    expect(x.points.filter((p) => p.concurrency >= (x.crossover ?? 0)).every((p) => p.ratio < 1)).toBe(true);
    expect(describeCrossover(x)).toMatch(new RegExp(`crossover at concurrency ${x.crossover}: faster than without below it`));
  });

  it("a better draft moves the crossover out; none without speculation or without a GPU", () => {
    const draft = (acceptanceRate: number): number | undefined =>
      specCrossover({ preset: { ...B200_32B, draftModel: "Qwen/Qwen3-0.6B" }, maxModelLen: 8192, speculative: { draftTokens: 3, acceptanceRate } }, 1200)
        ?.crossover;
    expect(draft(0.9) ?? Infinity).toBeGreaterThan(draft(0.6) ?? Infinity);
    expect(specCrossover({ preset: B200_32B, maxModelLen: 8192 }, 1200)).toBeUndefined();
    expect(specCrossover({ speculative: { draftTokens: 3, acceptanceRate: 0.7 } }, 1200)).toBeUndefined();
  });
});
