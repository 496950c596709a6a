// Unit tests for the analysis on hand-made summaries: peak, knee, SLO pick, recommendations, warnings, Pareto front.
import { describe, expect, it } from "vitest";
import type { FlatDistribution, LevelSummary } from "../metrics/level.js";
import { analyzeRun, paretoFront, type SloEvaluation } from "./analysis.js";
import { analyzeWarnings, requestsNeeded } from "./analysis-warnings.js";

function dist(median: number, p99 = median * 1.2): FlatDistribution {
  return { count: 100, mean: median, median, std: 1, min: median / 2, max: p99 * 1.1, p50: median, p90: median * 1.1, p99 };
}

/** A closed-loop level with the numbers analysis reads; everything else neutral. */
function level(i: number, c: number, tokensPerS: number, e2eMs: number, extra: Partial<LevelSummary> = {}): LevelSummary {
  return {
    level: i, load: { kind: "concurrency", concurrency: c }, requests: { sent: 200, completed: 200, errored: 0, aborted: 0, warmup: 0 },
    errors_by_code: {}, duration_s: 10, request_per_s: tokensPerS / 100, input_tokens_per_s: tokensPerS * 4, output_tokens_per_s: tokensPerS,
    total_tokens_per_s: tokensPerS * 5, input_tokens_total: tokensPerS * 40, output_tokens_total: tokensPerS * 10,
    e2e_ms: dist(e2eMs), ttft_ms: dist(e2eMs / 20), tpot_ms: dist(e2eMs / 100), interrupted: false, warnings: [], ...extra,
  };
}

// Seed 004's shape: throughput peaks at 60 and falls at 80 while latency keeps rising.
const seed004 = [level(0, 40, 1467.89, 2460), level(1, 60, 2529.38, 2050), level(2, 80, 2427.98, 2480)];
// A sweep that saturates: throughput flattens after 32 while latency doubles.
const knee = [level(0, 1, 100, 1000), level(1, 8, 780, 1030), level(2, 32, 2900, 1120), level(3, 64, 3100, 2100), level(4, 128, 3150, 4100)];

describe("analyzeRun", () => {
  it("finds the peak, says throughput falls beyond it, and recommends it for batch use", () => {
    const a = analyzeRun(seed004);
    expect(a.peak).toMatchObject({ load: "c=60", outputTokensPerS: 2529.38 });
    expect(a.findings.join("\n")).toContain("Peak output throughput: 2,529.4 tokens/s at c=60");
    expect(a.findings.join("\n")).toContain("Beyond c=60 throughput falls: 2,428 tokens/s at c=80 (−4.0%)");
    expect(a.batch?.load).toBe("c=60");
  });

  it("detects the saturation knee where latency rises faster than throughput", () => {
    const a = analyzeRun(knee);
    expect(a.knee).toMatchObject({ load: "c=32", next: "c=64" });
    expect(a.knee?.throughputGain).toBeCloseTo(3100 / 2900 - 1);
    expect(a.knee?.latencyGain).toBeCloseTo(2100 / 1120 - 1);
    expect(a.interactive).toMatchObject({ load: "c=32" });
    expect(a.batch?.load).toBe("c=128");
    expect(a.batch?.why).toContain("c=64 gives 98.4% of it");
  });

  it("reports no knee while latency grows slower than throughput, ignoring noise", () => {
    const a = analyzeRun([level(0, 1, 100, 1000), level(1, 4, 390, 1040), level(2, 16, 1500, 1090)]);
    expect(a.knee).toBeNull();
    expect(a.findings.join("\n")).toContain("No saturation knee between c=1 and c=16");
    expect(a.findings.join("\n")).toContain("Throughput still rises at the highest load tested");
  });

  it("picks the highest load meeting the SLO with its goodput, and recommends it for interactive use", () => {
    const slo: SloEvaluation = {
      text: "ttft_ms<=500", attainment: 0.9,
      goodByLevel: new Map([[0, { good: 200, measured: 200 }], [1, { good: 199, measured: 200 }], [2, { good: 185, measured: 200 }], [3, { good: 120, measured: 200 }], [4, { good: 10, measured: 200 }]]),
    };
    const a = analyzeRun(knee, { slo });
    expect(a.slo?.best).toMatchObject({ load: "c=32", fraction: 0.925, goodputPerS: 18.5 });
    expect(a.interactive).toMatchObject({ load: "c=32" });
    expect(a.findings.join("\n")).toContain("Highest load meeting the SLO (≥90% of requests meeting ttft_ms<=500): c=32, goodput 18.5 req/s (92.5% good)");
  });

  it("says when no level meets the SLO", () => {
    const a = analyzeRun(knee, { slo: { text: "ttft_ms<=1", attainment: 0.9, goodByLevel: new Map([[0, { good: 0, measured: 200 }]]) } });
    expect(a.slo?.best).toBeNull();
    expect(a.interactive).toBeNull();
    expect(a.findings.join("\n")).toContain("No level met the SLO");
  });

  it("handles runs without completed requests or latency", () => {
    expect(analyzeRun([]).findings).toEqual(["No level completed a request: nothing to analyse."]);
    const noLatency = level(0, 256, 7660, 0, {});
    delete noLatency.e2e_ms;
    expect(analyzeRun([noLatency]).findings.join("\n")).toContain("cannot tell without latency data");
  });
});

describe("paretoFront", () => {
  it("keeps points no other point beats on both latency and throughput", () => {
    const pts = [
      { latencyMs: 100, throughput: 10, id: "a" },
      { latencyMs: 120, throughput: 8, id: "dominated" },
      { latencyMs: 150, throughput: 30, id: "b" },
      { latencyMs: 300, throughput: 29, id: "dominated2" },
      { latencyMs: 400, throughput: 50, id: "c" },
    ];
    expect(paretoFront(pts).map((p) => p.id)).toEqual(["a", "b", "c"]);
  });
});

describe("analyzeWarnings", () => {
  const run = { percentiles: [50, 90, 99], predicted: false, interrupted: false };

  it("needs 100 requests per level for p99, 10 for p90", () => {
    expect(requestsNeeded([50, 90, 99])).toBe(100);
    expect(requestsNeeded([50, 90])).toBe(10);
  });

  it("flags every kind of suspect result with its numbers", () => {
    const levels = [
      level(0, 4, 100, 1000, { requests: { sent: 20, completed: 16, errored: 4, aborted: 0, warmup: 0 } }),
      level(1, 16, 300, 1000, { server: { prefix_cache_hit_rate: 0.9662 }, send_delay_ms: dist(5, 80) }),
      { ...level(2, 0, 300, 1000), load: { kind: "rate" as const, rate_per_s: 8, arrival: "poisson", burstiness: 1 }, send_delay_ms: dist(2, 25) },
      level(3, 32, 400, 1000, { strict: { checked: 200, mismatched: 3, examples: [] } as never, client_token_check: { checked: 200, differing: 2, max_abs_diff: 1, tokenizer: "t" }, interrupted: true }),
    ];
    const w = analyzeWarnings(levels, { run, malformedLines: 1 }).join("\n");
    expect(w).toContain("high error rate: c=4 4/20 (20%)");
    expect(w).toContain("prefix-cache hit rate flatters the result: c=16 96.6%");
    expect(w).toContain("client saturated (send delay p99 > 50 ms in a closed loop): c=16 80 ms");
    expect(w).toContain("client behind schedule (send delay p99 > 10 ms): 8 req/s 25 ms");
    expect(w).toContain("strict token mismatches: c=32 3/200");
    expect(w).toContain("client tokenizer disagrees with the server's usage: c=32 2/200");
    expect(w).toContain("too few requests for p99 (needs ≥ 100 per level): c=4 16");
    expect(w).toContain("interrupted before it finished: c=32");
    expect(w).toContain("1 unreadable lines in requests.jsonl were skipped");
  });

  it("stays quiet about a clean run and labels imports", () => {
    expect(analyzeWarnings([level(0, 4, 100, 1000)], { run })).toEqual([]);
    expect(analyzeWarnings([level(0, 4, 100, 1000)], { run: { ...run, imported: { source: "x.csv", row: 2 } } })[0]).toContain("imported from x.csv (row 2)");
  });
});
