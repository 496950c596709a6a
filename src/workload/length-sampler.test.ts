// Tests for seeded length sampling: the same seed gives the same lengths, each kind has the
// documented mean and bounds, and histogram files are read (and rejected) with file:line.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isBenchError } from "../errors.js";
import { createLengthSampler, parseHistogram } from "./length-sampler.js";

const draw = (n: number, sampler: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => sampler(i));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("createLengthSampler", () => {
  it("is a function of (seed, salt, index) only", () => {
    const a = createLengthSampler({ kind: "lognormal", mean: 512, sigma: 0.5 }, 7, 1);
    const b = createLengthSampler({ kind: "lognormal", mean: 512, sigma: 0.5 }, 7, 1);
    expect(draw(50, a)).toEqual(draw(50, b));
    expect(a(30)).toBe(b(30)); // not a stream: index 30 alone gives the same value
    expect(draw(50, createLengthSampler({ kind: "lognormal", mean: 512, sigma: 0.5 }, 8, 1))).not.toEqual(draw(50, a));
  });

  it("matches each kind's mean and bounds", () => {
    const n = 20_000;
    const lognormal = draw(n, createLengthSampler({ kind: "lognormal", mean: 512, sigma: 0.5 }, 1, 1));
    expect(Math.abs(mean(lognormal) - 512) / 512).toBeLessThan(0.02);
    const median = draw(n, createLengthSampler({ kind: "lognormal", median: 300, sigma: 0.8 }, 1, 1)).sort((x, y) => x - y);
    expect(Math.abs((median[n / 2] as number) - 300) / 300).toBeLessThan(0.03);
    const normal = draw(n, createLengthSampler({ kind: "normal", mean: 200, std: 40 }, 2, 1));
    expect(Math.abs(mean(normal) - 200)).toBeLessThan(2);
    const uniform = draw(n, createLengthSampler({ kind: "uniform", min: 10, max: 20 }, 3, 1));
    expect(Math.min(...uniform)).toBe(10);
    expect(Math.max(...uniform)).toBe(20);
    expect(new Set(uniform).size).toBe(11);
    const clipped = draw(n, createLengthSampler({ kind: "normal", mean: 10, std: 50, min: 5, max: 30 }, 4, 1));
    expect(Math.min(...clipped)).toBe(5);
    expect(Math.max(...clipped)).toBe(30);
    expect(clipped.every(Number.isInteger)).toBe(true);
    expect(draw(5, createLengthSampler({ kind: "fixed", value: 9 }, 0, 0))).toEqual([9, 9, 9, 9, 9]);
  });

  it("samples a histogram file by weight, uniformly inside each bin", () => {
    const text = "# comment\nlo,hi,count\n10,19,1\n100,100,3\n";
    const sampler = createLengthSampler({ kind: "histogram", file: "h.csv" }, 5, 1, () => text);
    const xs = draw(8000, sampler);
    const share100 = xs.filter((x) => x === 100).length / xs.length;
    expect(share100).toBeGreaterThan(0.72);
    expect(share100).toBeLessThan(0.78);
    expect(xs.every((x) => x === 100 || (x >= 10 && x <= 19))).toBe(true);
  });
});

describe("histogram files", () => {
  it("reads the fixture from disk", () => {
    const file = join(import.meta.dirname, "../../test/fixtures/workload/lengths-hist.csv");
    const xs = draw(2000, createLengthSampler({ kind: "histogram", file, max: 400 }, 1, 1));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(32);
    expect(Math.max(...xs)).toBeLessThanOrEqual(400);
    expect(() => createLengthSampler({ kind: "histogram", file: "/nonexistent.csv" }, 1, 1)).toThrow(/\/nonexistent\.csv: cannot read histogram/);
  });
});

describe("parseHistogram", () => {
  it("reads length,weight and lo,hi,weight lines", () => {
    expect(parseHistogram("128\t5\n256 1\n", "h")).toEqual([
      { lo: 128, hi: 128, weight: 5 },
      { lo: 256, hi: 256, weight: 1 },
    ]);
  });

  it("names file and line for malformed lines", () => {
    for (const [text, line] of [
      ["10,1\nten,2\n", 2],
      ["10,1\n5,20,30,40\n", 2],
      ["1\n", 1],
      ["20,10,1\n", 1],
      ["0,0\n", 1],
    ] as const) {
      try {
        parseHistogram(text, "h.csv");
        throw new Error("expected an error");
      } catch (error) {
        expect(isBenchError(error) && error.code === "E_DATASET" && error.message.startsWith(`h.csv:${line}: `), `${text}: ${String(error)}`).toBe(true);
      }
    }
    expect(() => parseHistogram("tokens,count\n", "h.csv")).toThrow(/no bin/);
  });
});
