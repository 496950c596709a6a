import { describe, expect, it } from "vitest";
import { BenchError } from "../errors.js";
import { formatSlo, parseDurationMs, parseList, parsePositiveInt, parseRequestCount, parseSlo, perRequestSlo } from "./units.js";

describe("units", () => {
  it("parses durations with units, bare numbers as seconds", () => {
    expect(parseDurationMs("500ms", "--d")).toBe(500);
    expect(parseDurationMs("60s", "--d")).toBe(60_000);
    expect(parseDurationMs("10m", "--d")).toBe(600_000);
    expect(parseDurationMs("1.5", "--d")).toBe(1500);
    expect(() => parseDurationMs("soon", "--duration")).toThrow(/--duration: "soon"/);
    expect(() => parseDurationMs("0s", "--duration")).toThrow(BenchError);
  });

  it("parses request counts and multiples", () => {
    expect(parseRequestCount("30", "--requests")).toEqual({ kind: "count", n: 30 });
    expect(parseRequestCount("3x", "--requests")).toEqual({ kind: "multiple", factor: 3 });
    expect(() => parseRequestCount("-3", "--requests")).toThrow(/--requests/);
    expect(() => parseRequestCount("0x", "--requests")).toThrow(/--requests/);
  });

  it("parses lists and rejects empty items", () => {
    expect(parseList("1,10,40,200", "--concurrency", parsePositiveInt)).toEqual([1, 10, 40, 200]);
    expect(() => parseList("1,,4", "--concurrency", parsePositiveInt)).toThrow(/--concurrency/);
    expect(() => parseList("1,a", "--concurrency", parsePositiveInt)).toThrow(/"a" is not a positive integer/);
  });

  it("parses SLO terms and rejects unknown metrics", () => {
    expect(parseSlo("ttft_ms<=500,tpot_ms<50", "--slo")).toEqual([
      { metric: "ttft_ms", op: "<=", value: 500 },
      { metric: "tpot_ms", op: "<", value: 50 },
    ]);
    expect(() => parseSlo("latency<=5", "--slo")).toThrow(/SLO on one of/);
  });

  it("parses aggregate SLO terms (metric.pNN, .mean, .median) next to per-request ones", () => {
    const terms = parseSlo("ttft_ms.p99<=1000,tpot_ms.p99.9<50,e2e_ms.mean<=9,itl_ms<=20", "--slo");
    expect(terms).toEqual([
      { metric: "ttft_ms", op: "<=", value: 1000, stat: "p99" },
      { metric: "tpot_ms", op: "<", value: 50, stat: "p99.9" },
      { metric: "e2e_ms", op: "<=", value: 9, stat: "mean" },
      { metric: "itl_ms", op: "<=", value: 20 },
    ]);
    expect(formatSlo(terms)).toBe("ttft_ms.p99<=1000,tpot_ms.p99.9<50,e2e_ms.mean<=9,itl_ms<=20");
    expect(perRequestSlo(terms).every((t) => t.stat === undefined)).toBe(true);
    expect(() => parseSlo("ttft_ms.p100<=5", "--slo")).toThrow(/percentile/);
    expect(() => parseSlo("ttft_ms.max<=5", "--slo")).toThrow(/ttft_ms.p99<=1000/);
  });
});

describe("resolveRunConfig names every problem", () => {
  it("lists each invalid field with its flag, not only the first", async () => {
    const { resolveRunConfig } = await import("./resolve-run-config.js");
    expect(() => resolveRunConfig({ cancelRate: 0.5, workers: 2 })).toThrow(/--cancel-after: .*; --cancel-rate: .*--workers/);
  });
});
