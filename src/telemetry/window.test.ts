// Level-window summaries: bracketing edges, counter resets, hit rate and percentiles from deltas.
import { describe, expect, it } from "vitest";
import type { Histogram } from "./histogram.js";
import type { CanonicalSnapshot } from "./normalize.js";
import type { Scrape } from "./scraper.js";
import { summarizeWindow } from "./window.js";

const base: CanonicalSnapshot = {
  dialect: "vllm-v1",
  running: null,
  waiting: null,
  swapped: null,
  preemptionsTotal: null,
  kvUsageGpu: null,
  kvUsageCpu: null,
  prefixQueriesTotal: null,
  prefixHitsTotal: null,
  promptTokensTotal: null,
  generationTokensTotal: null,
  ttftHist: null,
  itlHist: null,
  e2eHist: null,
  countersLag: false,
  sources: {},
};
const ok = (tMs: number, fields: Partial<CanonicalSnapshot>): Scrape => ({
  ok: true,
  tMs,
  durationMs: 2,
  snapshot: { ...base, ...fields },
});
const failed = (tMs: number): Scrape => ({ ok: false, tMs, durationMs: 1000, error: "timeout after 1000 ms" });
const hist = (counts: number[], sum: number): Histogram => {
  const les = [0.1, 0.2, 0.5, Infinity];
  return { buckets: les.map((le, i) => ({ le, count: counts[i] ?? 0 })), sum, count: counts[3] ?? 0 };
};

describe("summarizeWindow", () => {
  it("brackets the window with the scrapes just outside it and divides by the bracket span", () => {
    const scrapes = [
      ok(-600, { generationTokensTotal: 0, running: 50 }), // previous level: not a gauge sample here
      ok(400, { generationTokensTotal: 100, running: 2 }),
      ok(1400, { generationTokensTotal: 300, running: 4 }),
      ok(2400, { generationTokensTotal: 500, running: 6 }),
      ok(3400, { generationTokensTotal: 800, running: 1 }),
      ok(4400, { generationTokensTotal: 5000, running: 9 }), // after the bracket: ignored
    ];
    const s = summarizeWindow(scrapes, 0, 3000);
    expect(s.bracket_start_ms).toBe(-600);
    expect(s.bracket_end_ms).toBe(3400);
    expect(s.generation_tokens_per_s).toBeCloseTo(800 / 4, 9);
    expect(s.running_peak).toBe(6);
    expect(s.running_mean).toBeCloseTo(4, 9);
    expect(s.scrapes).toBe(3);
  });

  it("counts a counter that goes down as a reset, never a negative rate", () => {
    const scrapes = [
      ok(0, { generationTokensTotal: 1000, promptTokensTotal: 5000, preemptionsTotal: 4 }),
      ok(1000, { generationTokensTotal: 1500, promptTokensTotal: 6000, preemptionsTotal: 5 }),
      ok(2000, { generationTokensTotal: 200, promptTokensTotal: 100, preemptionsTotal: 0 }), // server restarted
      ok(3000, { generationTokensTotal: 700, promptTokensTotal: 1100, preemptionsTotal: 1 }),
    ];
    const s = summarizeWindow(scrapes, 0, 3000);
    expect(s.generation_tokens_per_s).toBeCloseTo((500 + 200 + 500) / 3, 9);
    expect(s.prompt_tokens_per_s).toBeCloseTo((1000 + 100 + 1000) / 3, 9);
    expect(s.preemptions).toBe(1 + 0 + 1);
    expect(s.counter_resets).toBe(1);
  });

  it("computes the prefix-cache hit rate from deltas, not lifetime totals", () => {
    const scrapes = [
      ok(0, { prefixQueriesTotal: 10_000, prefixHitsTotal: 9_000 }), // 90% lifetime before the level
      ok(1000, { prefixQueriesTotal: 10_600, prefixHitsTotal: 9_150 }),
      ok(2000, { prefixQueriesTotal: 11_000, prefixHitsTotal: 9_250 }),
    ];
    expect(summarizeWindow(scrapes, 0, 2000).prefix_cache_hit_rate).toBeCloseTo(250 / 1000, 12);
  });

  it("takes TTFT percentiles from the histogram delta over the window", () => {
    const scrapes = [
      ok(0, { ttftHist: hist([5, 10, 20, 20], 3) }),
      ok(1000, { ttftHist: hist([10, 25, 70, 75], 15) }),
      ok(2000, { ttftHist: hist([15, 40, 110, 120], 30) }),
    ];
    // delta: ≤0.1: 10, ≤0.2: 30, ≤0.5: 90, +Inf: 100 → p50 = 0.2 + 0.3·(50−30)/60 = 0.3 s
    const s = summarizeWindow(scrapes, 0, 2000);
    expect(s.ttft_ms.p50).toBeCloseTo(300, 9);
    expect(s.ttft_ms.p90).toBeCloseTo(500, 9);
    expect(s.ttft_ms.p99).toBeCloseTo(500, 9);
    expect(s.ttft_p50_bucket_ms).toEqual([200, 500]);
    expect(s.itl_ms).toEqual({ p50: null, p90: null, p99: null });
  });

  it("takes peaks, spec-decode acceptance and failed scrapes inside the window", () => {
    const spec = (draft: number, acc: number) => ({ draftsTotal: null, draftTokensTotal: draft, acceptedTokensTotal: acc });
    const scrapes = [
      ok(0, { kvUsageGpu: 0.1, waiting: 0, specDecode: spec(100, 60) }),
      failed(500),
      ok(1000, { kvUsageGpu: 0.8, waiting: 7, specDecode: spec(400, 210) }),
      failed(9000),
      ok(2000, { kvUsageGpu: 0.3, waiting: 1, specDecode: spec(500, 260) }),
    ];
    const s = summarizeWindow(scrapes, 0, 2000);
    expect(s.kv_usage_peak).toBe(0.8);
    expect(s.waiting_peak).toBe(7);
    expect(s.waiting_mean).toBeCloseTo(8 / 3, 9);
    expect(s.spec_decode_acceptance_rate).toBeCloseTo(200 / 400, 12);
    expect(s.failed_scrapes).toBe(1);
    expect(s.scrapes).toBe(3);
  });

  it("uses the bracket scrapes for gauges when none falls inside a short window", () => {
    const s = summarizeWindow([ok(0, { running: 2 }), ok(1000, { running: 6 })], 200, 700);
    expect(s.running_peak).toBe(6);
    expect(s.running_mean).toBe(4);
    expect(s.scrapes).toBe(0);
  });

  it("returns nulls when nothing brackets the window", () => {
    const s = summarizeWindow([ok(5000, { generationTokensTotal: 1, running: 1 })], 0, 1000);
    expect(s.generation_tokens_per_s).toBeNull();
    expect(s.running_peak).toBeNull();
    expect(s.bracket_start_ms).toBeNull();
    expect(summarizeWindow([], 0, 1000).dialect).toBeNull();
  });
});
