// Quantiles against hand computation (Prometheus histogram_quantile rules) and delta/reset logic.
import { describe, expect, it } from "vitest";
import { histogramDelta, histogramQuantile, histogramWasReset, mergeHistograms, type Histogram } from "./histogram.js";

const h = (pairs: [number, number][], sum = 0): Histogram => ({
  buckets: pairs.map(([le, count]) => ({ le, count })),
  sum,
  count: pairs[pairs.length - 1]?.[1] ?? 0,
});

describe("histogramQuantile", () => {
  // 10 obs ≤0.1, 20 in (0.1,0.2], 60 in (0.2,0.5], 10 above 0.5.
  const hist = h([
    [0.1, 10],
    [0.2, 30],
    [0.5, 90],
    [Infinity, 100],
  ]);

  it("interpolates linearly inside the bucket holding the rank", () => {
    // p50: rank 50 falls in (0.2,0.5] as the 20th of 60 → 0.2 + 0.3·20/60 = 0.3
    expect(histogramQuantile(0.5, hist)?.value).toBeCloseTo(0.3, 12);
    // p05: rank 5 in the first bucket, which starts at 0 → 0.1·5/10 = 0.05
    expect(histogramQuantile(0.05, hist)?.value).toBeCloseTo(0.05, 12);
    // p90: rank 90 is the last of (0.2,0.5] → 0.5
    expect(histogramQuantile(0.9, hist)?.value).toBeCloseTo(0.5, 12);
    expect(histogramQuantile(0.5, hist)).toMatchObject({ lowerBound: 0.2, upperBound: 0.5 });
  });

  it("returns the highest finite bound when the rank lands in +Inf", () => {
    expect(histogramQuantile(0.99, hist)).toEqual({ value: 0.5, lowerBound: 0.5, upperBound: Infinity });
  });

  it("is null without observations or without a +Inf bucket", () => {
    expect(
      histogramQuantile(
        0.5,
        h([
          [0.1, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNull();
    expect(
      histogramQuantile(
        0.5,
        h([
          [0.1, 3],
          [0.2, 4],
        ]),
      ),
    ).toBeNull();
  });
});

describe("histogramDelta", () => {
  it("subtracts bucket-wise", () => {
    const a = h(
      [
        [0.1, 5],
        [0.2, 10],
        [0.5, 20],
        [Infinity, 20],
      ],
      3,
    );
    const b = h(
      [
        [0.1, 15],
        [0.2, 40],
        [0.5, 110],
        [Infinity, 120],
      ],
      30,
    );
    expect(histogramDelta(a, b)).toEqual(
      h(
        [
          [0.1, 10],
          [0.2, 30],
          [0.5, 90],
          [Infinity, 100],
        ],
        27,
      ),
    );
  });

  it("treats any decrease as a restart: the new histogram is the delta", () => {
    const a = h(
      [
        [0.1, 50],
        [Infinity, 60],
      ],
      9,
    );
    const b = h(
      [
        [0.1, 2],
        [Infinity, 3],
      ],
      0.4,
    );
    expect(histogramWasReset(a, b)).toBe(true);
    expect(histogramDelta(a, b)).toEqual(b);
  });

  it("merges by le", () => {
    const merged = mergeHistograms([
      h(
        [
          [1, 1],
          [Infinity, 2],
        ],
        1,
      ),
      h(
        [
          [1, 3],
          [Infinity, 3],
        ],
        2,
      ),
    ]);
    expect(merged).toEqual(
      h(
        [
          [1, 4],
          [Infinity, 5],
        ],
        3,
      ),
    );
  });
});
