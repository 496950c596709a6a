// Each engine's fixture normalised to exact canonical values (numbers read off the fixture files).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectDialect, normalize } from "./normalize.js";
import { parsePrometheusText } from "./prometheus.js";

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/metrics/${name}`, import.meta.url), "utf8");
const snap = (text: string) => normalize(parsePrometheusText(text).samples);

describe("normalize", () => {
  it("vLLM V1", () => {
    const s = snap(fixture("vllm-v1.metrics.txt"));
    expect(s).toMatchObject({
      dialect: "vllm-v1",
      running: 3,
      waiting: 2,
      swapped: null,
      preemptionsTotal: 0,
      kvUsageGpu: 0.0731,
      kvUsageCpu: null,
      prefixQueriesTotal: 356902,
      prefixHitsTotal: 74496,
      promptTokensTotal: 356902,
      generationTokensTotal: 53805,
    });
    expect(s.specDecode).toBeUndefined();
    expect(s.ttftHist?.count).toBe(240);
    expect(s.ttftHist?.sum).toBe(77.9630871232163);
    expect(s.ttftHist?.buckets).toHaveLength(23);
    expect(s.ttftHist?.buckets.slice(5, 10)).toEqual([
      { le: 0.06, count: 7 },
      { le: 0.08, count: 14 },
      { le: 0.1, count: 22 },
      { le: 0.25, count: 90 },
      { le: 0.5, count: 196 },
    ]);
    expect(s.ttftHist?.buckets.at(-1)).toEqual({ le: Infinity, count: 240 });
    expect(s.itlHist).toMatchObject({ count: 53565, sum: 1119.4385348978649 });
    expect(s.itlHist?.buckets[1]).toEqual({ le: 0.025, count: 39241 });
    expect(s.e2eHist).toMatchObject({ count: 240, sum: 1196.8992097115465 });
    expect(s.sources).toMatchObject({ kvUsageGpu: "vllm:kv_cache_usage_perc", itlHist: "vllm:inter_token_latency_seconds" });
  });

  it("vLLM V1 with speculative decoding", () => {
    const s = snap(fixture("vllm-v1.metrics.txt") + fixture("vllm-v1-specdecode.metrics.txt"));
    expect(s.dialect).toBe("vllm-v1");
    expect(s.running).toBe(3);
    expect(s.specDecode).toEqual({ draftsTotal: 9120, draftTokensTotal: 27360, acceptedTokensTotal: 17731 });
  });

  it("vLLM V0: swapped, GPU and CPU cache usage, time_per_output_token as ITL", () => {
    const s = snap(fixture("vllm-v0.metrics.txt"));
    expect(s).toMatchObject({
      dialect: "vllm-v0",
      running: 4,
      waiting: 1,
      swapped: 0,
      preemptionsTotal: 0,
      kvUsageGpu: 0.1287,
      kvUsageCpu: 0,
      prefixQueriesTotal: null,
      prefixHitsTotal: null,
      promptTokensTotal: 125831,
      generationTokensTotal: 34283,
    });
    expect(s.ttftHist).toMatchObject({ count: 120, sum: 55.797487609416116 });
    expect(s.ttftHist?.buckets[4]).toEqual({ le: 0.04, count: 1 });
    expect(s.itlHist).toMatchObject({ count: 34163, sum: 793.0239978642264 });
    expect(s.itlHist?.buckets.slice(0, 3)).toEqual([
      { le: 0.01, count: 356 },
      { le: 0.025, count: 19196 },
      { le: 0.05, count: 34163 },
    ]);
    expect(s.e2eHist).toMatchObject({ count: 120, sum: 851.5896123449854 });
    expect(s.sources).toMatchObject({ kvUsageGpu: "vllm:gpu_cache_usage_perc", itlHist: "vllm:time_per_output_token_seconds" });
  });

  it("SGLang: prompt tokens are prefix queries, cached tokens are hits", () => {
    const s = snap(fixture("sglang.metrics.txt"));
    expect(s).toMatchObject({
      dialect: "sglang",
      running: 12,
      waiting: 3,
      swapped: null,
      preemptionsTotal: 0,
      kvUsageGpu: 0.06,
      kvUsageCpu: null,
      prefixQueriesTotal: 269953,
      prefixHitsTotal: 34048,
      promptTokensTotal: 269953,
      generationTokensTotal: 28947,
    });
    expect(s.ttftHist).toMatchObject({ count: 180, sum: 67.02607677579765 });
    expect(s.ttftHist?.buckets[0]).toEqual({ le: 0.1, count: 13 });
    expect(s.itlHist).toMatchObject({ count: 28767, sum: 533.2639936477572 });
    expect(s.e2eHist).toMatchObject({ count: 180, sum: 603.6864747620258 });
  });

  it("TGI: token totals from request-length histogram sums, no TTFT/ITL", () => {
    const s = snap(fixture("tgi.metrics.txt"));
    expect(s).toMatchObject({
      dialect: "tgi",
      running: 4,
      waiting: 0,
      kvUsageGpu: null,
      prefixQueriesTotal: null,
      promptTokensTotal: 68709,
      generationTokensTotal: 9327,
      ttftHist: null,
      itlHist: null,
    });
    expect(s.e2eHist).toMatchObject({ count: 64, sum: 165.7041767629939 });
    expect(s.e2eHist?.buckets).toHaveLength(36);
    expect(s.e2eHist?.buckets[22]).toEqual({ le: 1.122274146401882, count: 7 });
  });

  it("llama.cpp: only the _total token counters, no per-slot seconds", () => {
    const s = snap(fixture("llamacpp.metrics.txt"));
    expect(s).toMatchObject({
      dialect: "llamacpp",
      running: 3,
      waiting: 1,
      kvUsageGpu: null,
      promptTokensTotal: 1284550,
      generationTokensTotal: 302144,
      ttftHist: null,
      itlHist: null,
      e2eHist: null,
    });
  });

  it("llama.cpp b10587 capture: cached prompt tokens counted apart become prefix hits; counters lag", () => {
    const text = readFileSync(new URL("../../test/fixtures/sim/llamacpp-b10587-captured.metrics.txt", import.meta.url), "utf8");
    const s = normalize(parsePrometheusText(text).samples);
    // prompt_tokens_total 20981 excludes the 3403 cached ones.
    expect(s).toMatchObject({
      dialect: "llamacpp",
      promptTokensTotal: 20981 + 3403,
      prefixQueriesTotal: 20981 + 3403,
      prefixHitsTotal: 3403,
      generationTokensTotal: 2407,
      kvUsageGpu: null,
      countersLag: true,
    });
    expect(s.sources["prefixHitsTotal"]).toBe("llamacpp:prompt_tokens_cached_total");
  });

  it("llama.cpp b4748 capture (no TYPE lines, kv_cache_usage_ratio)", () => {
    const s = snap(fixture("llamacpp-b4748-after-load.metrics.txt"));
    expect(s).toMatchObject({
      dialect: "llamacpp",
      running: 0,
      waiting: 0,
      kvUsageGpu: 0.158203,
      promptTokensTotal: 364,
      generationTokensTotal: 12032,
    });
  });

  it("sums counts and takes max usage across label sets (two vLLM engines)", () => {
    const s = snap(
      [
        'vllm:num_requests_running{engine="0"} 3',
        'vllm:num_requests_running{engine="1"} 5',
        'vllm:kv_cache_usage_perc{engine="0"} 0.2',
        'vllm:kv_cache_usage_perc{engine="1"} 0.7',
        'vllm:time_to_first_token_seconds_bucket{engine="0",le="0.1"} 1',
        'vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf"} 2',
        'vllm:time_to_first_token_seconds_sum{engine="0"} 0.5',
        'vllm:time_to_first_token_seconds_count{engine="0"} 2',
        'vllm:time_to_first_token_seconds_bucket{engine="1",le="0.1"} 3',
        'vllm:time_to_first_token_seconds_bucket{engine="1",le="+Inf"} 3',
        'vllm:time_to_first_token_seconds_sum{engine="1"} 0.2',
        'vllm:time_to_first_token_seconds_count{engine="1"} 3',
      ].join("\n"),
    );
    expect(s.running).toBe(8);
    expect(s.kvUsageGpu).toBe(0.7);
    expect(s.ttftHist).toEqual({
      buckets: [
        { le: 0.1, count: 4 },
        { le: Infinity, count: 5 },
      ],
      sum: 0.7,
      count: 5,
    });
  });

  it("unknown engine: all null", () => {
    const samples = parsePrometheusText("foo_requests 3\n").samples;
    expect(detectDialect(samples)).toBe("unknown");
    expect(normalize(samples)).toMatchObject({ dialect: "unknown", running: null, ttftHist: null, sources: {} });
  });
});
