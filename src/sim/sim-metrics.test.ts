import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SimMetrics, oneTwoFiveBuckets } from "./sim-metrics.js";

const fixture = readFileSync(new URL("../../test/fixtures/sim/vllm-v1.metrics.txt", import.meta.url), "utf8");

/** Minimal Prometheus text parser for the tests: HELP/TYPE per family and samples by full series. */
function parseProm(text: string): { help: Map<string, string>; type: Map<string, string>; samples: Map<string, number> } {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta !== null) {
      (meta[1] === "HELP" ? help : type).set(meta[2] ?? "", meta[3] ?? "");
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (sample === null) throw new Error(`bad line: ${line}`);
    samples.set(`${sample[1]}${sample[2] ?? ""}`, Number(sample[3]));
  }
  return { help, type, samples };
}

describe("SimMetrics", () => {
  it("uses vLLM V1 family names, HELP and TYPE", () => {
    const ours = parseProm(new SimMetrics("m", 40960).render({ running: 0, waiting: 0, kvCacheUsage: 0 }));
    const theirs = parseProm(fixture);
    expect(ours.type.size).toBeGreaterThanOrEqual(14);
    for (const [family, type] of ours.type) {
      expect(theirs.type.get(family), family).toBe(type);
      expect(ours.help.get(family), family).toBe(theirs.help.get(family));
    }
  });

  it("renders real counts with vLLM label order and cumulative buckets", () => {
    const m = new SimMetrics("sim-model", 40960);
    m.onAdmitted(0, 12);
    m.onFirstToken(15);
    m.onNextToken(20);
    m.onNextToken(30);
    m.onFinished("length", 70, 12, 3);
    const text = m.render({ running: 2, waiting: 1, kvCacheUsage: 0.25, prefixCacheQueries: 12, prefixCacheHits: 0 });
    const { samples } = parseProm(text);
    const l = 'engine="0",model_name="sim-model"';
    expect(samples.get(`vllm:num_requests_running{${l}}`)).toBe(2);
    expect(samples.get(`vllm:num_requests_waiting{${l}}`)).toBe(1);
    expect(samples.get(`vllm:kv_cache_usage_perc{${l}}`)).toBe(0.25);
    expect(samples.get(`vllm:prompt_tokens_total{${l}}`)).toBe(12);
    expect(samples.get(`vllm:prefix_cache_queries_total{${l}}`)).toBe(12);
    expect(samples.get(`vllm:generation_tokens_total{${l}}`)).toBe(3);
    expect(samples.get('vllm:request_success_total{engine="0",finished_reason="length",model_name="sim-model"}')).toBe(1);
    expect(samples.get('vllm:time_to_first_token_seconds_bucket{engine="0",le="0.01",model_name="sim-model"}')).toBe(0);
    expect(samples.get('vllm:time_to_first_token_seconds_bucket{engine="0",le="0.02",model_name="sim-model"}')).toBe(1);
    expect(samples.get('vllm:inter_token_latency_seconds_bucket{engine="0",le="0.025",model_name="sim-model"}')).toBe(1);
    expect(samples.get('vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf",model_name="sim-model"}')).toBe(2);
    expect(samples.get(`vllm:inter_token_latency_seconds_sum{${l}}`)).toBeCloseTo(0.05);
    expect(samples.get(`vllm:e2e_request_latency_seconds_count{${l}}`)).toBe(1);
    expect(text).toContain(`vllm:prompt_tokens_total{${l}} 12.0\n`);
  });

  it("builds 1-2-5 buckets up to max_model_len", () => {
    expect(oneTwoFiveBuckets(40960).slice(-3)).toEqual([5000, 10000, 20000]);
    expect(oneTwoFiveBuckets(10)).toEqual([1, 2, 5, 10]);
  });
});
