// Unit tests for the bootstrap: weighted statistics match stats.ts, intervals bracket noise and catch real shifts.
import { describe, expect, it } from "vitest";
import { percentileSorted } from "../metrics/stats.js";
import { createRng } from "../workload/random.js";
import { bootstrapChange, groupedSample, weightedStatistic } from "./bootstrap.js";

function sample(n: number, scale: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => [scale * (1 + rng())]);
}

describe("weightedStatistic", () => {
  it("matches the report's percentile definition and the mean when unweighted", () => {
    const values = [5, 1, 9, 3, 7, 2];
    const s = groupedSample(values.map((v) => [v]));
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [0, 10, 50, 90, 99, 100]) expect(weightedStatistic(s, null, `p${p}`)).toBeCloseTo(percentileSorted(sorted, p));
    expect(weightedStatistic(s, null, "mean")).toBeCloseTo(27 / 6);
  });

  it("weights a request's values by how often the request was drawn", () => {
    const s = groupedSample([[1], [10]]);
    // request 1 drawn twice, request 0 never: the sample is {10, 10}
    expect(weightedStatistic(s, Uint32Array.from([0, 2]), "p50")).toBe(10);
    expect(weightedStatistic(s, Uint32Array.from([3, 1]), "mean")).toBeCloseTo((3 + 10) / 4);
  });

  it("keeps a request's ITL gaps together", () => {
    const s = groupedSample([[1, 1, 1], [9]]);
    expect(s.groupCount).toBe(2);
    expect(weightedStatistic(s, Uint32Array.from([0, 1]), "mean")).toBe(9);
  });
});

describe("bootstrapChange", () => {
  it("brackets zero for two samples of the same distribution", () => {
    const ci = bootstrapChange(groupedSample(sample(300, 10, 1)), groupedSample(sample(300, 10, 2)), "p50", { seed: 0 });
    expect(ci).not.toBeNull();
    expect(ci?.low).toBeLessThan(0);
    expect(ci?.high).toBeGreaterThan(0);
  });

  it("excludes zero for a real 20% shift and contains the true change", () => {
    const ci = bootstrapChange(groupedSample(sample(300, 10, 1)), groupedSample(sample(300, 12, 2)), "mean", { seed: 0 });
    expect(ci?.low).toBeGreaterThan(0.1);
    expect(ci?.high).toBeLessThan(0.3);
  });

  it("is deterministic for a seed and needs at least two requests per side", () => {
    const a = groupedSample(sample(50, 10, 1));
    const b = groupedSample(sample(50, 11, 2));
    expect(bootstrapChange(a, b, "p90", { seed: 3, resamples: 300 })).toEqual(bootstrapChange(a, b, "p90", { seed: 3, resamples: 300 }));
    expect(bootstrapChange(groupedSample([[1]]), b, "p50")).toBeNull();
  });
});
