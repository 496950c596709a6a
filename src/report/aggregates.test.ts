// Unit tests for the bounded-memory aggregates: log histogram, time bins, JSONL line streaming.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forEachJsonLine } from "./jsonl-lines.js";
import { LogHistogram } from "./log-histogram.js";
import { TimeBins } from "./time-bins.js";

describe("LogHistogram", () => {
  it("keeps exact count, min and max, and a CDF that ends at the max", () => {
    const h = new LogHistogram();
    for (const v of [1, 2, 3, 100, 5000]) h.add(v);
    h.add(NaN);
    expect([h.count, h.min, h.max]).toEqual([5, 1, 5000]);
    const cdf = h.cdf();
    expect(cdf[0]).toEqual([1, 0]);
    expect(cdf[cdf.length - 1]).toEqual([5000, 1]);
    for (let i = 1; i < cdf.length; i++) expect((cdf[i] as number[])[1]).toBeGreaterThanOrEqual((cdf[i - 1] as number[])[1] as number);
  });

  it("puts values within one bin (~12%) of their true quantile", () => {
    const h = new LogHistogram();
    for (let i = 1; i <= 1000; i++) h.add(i);
    const median = h.cdf().find(([, f]) => f >= 0.5)?.[0] ?? 0;
    expect(median / 500).toBeGreaterThan(0.95);
    expect(median / 500).toBeLessThan(1.13);
  });
});

describe("TimeBins", () => {
  it("sums per bin and reports rates per second", () => {
    const b = new TimeBins("sum", 100, 1000);
    b.add(10, 5);
    b.add(50, 5);
    b.add(150, 1);
    expect(b.points(true)).toEqual([[50, 100], [150, 10]]);
  });

  it("spreads a value over the bins a span covers, in proportion", () => {
    const b = new TimeBins("sum", 100, 1000);
    b.addSpread(50, 250, 20);
    expect(b.points()).toEqual([[50, 5], [150, 10], [250, 5]]);
    b.addSpread(300, 300, 7);
    expect(b.points()[3]).toEqual([350, 7]);
  });

  it("doubles the bin width instead of growing past maxBins, conserving sums and peaks", () => {
    const sum = new TimeBins("sum", 1, 8);
    const max = new TimeBins("max", 1, 8);
    for (let t = 0; t < 100; t++) {
      sum.add(t, 1);
      max.add(t, t);
    }
    expect(sum.points().length).toBeLessThanOrEqual(8);
    expect(sum.points().reduce((a, [, v]) => a + v, 0)).toBe(100);
    expect(Math.max(...max.points().map(([, v]) => v))).toBe(99);
  });
});

describe("forEachJsonLine", () => {
  it("parses every line, counts torn or broken lines, and handles a missing final newline", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-jsonl-"));
    const path = join(dir, "x.jsonl");
    const big = "y".repeat(3 << 20); // crosses read-chunk boundaries
    writeFileSync(path, `{"a":1}\n\n{"b":"${big}"}\nnot json\n{"c":3}`);
    const seen: unknown[] = [];
    const stats = await forEachJsonLine(path, (v) => seen.push(Object.keys(v as object)[0]));
    expect(seen).toEqual(["a", "b", "c"]);
    expect(stats).toEqual({ lines: 4, malformed: 1 });
  });
});
