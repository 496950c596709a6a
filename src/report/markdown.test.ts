// summary.md shows what the README promises beside the per-level table: the prefix cache (best
// case, /metrics, the responses' cached tokens) and multi-turn sessions' first-vs-later TTFT.
import { describe, expect, it } from "vitest";
import type { FlatDistribution, LevelSummary } from "../metrics/level.js";
import { renderMarkdown } from "./markdown.js";
import type { RunSummary } from "../results/run-summary.js";

const dist = (median: number): FlatDistribution => ({ count: 8, mean: median, median, std: 1, min: median, max: median, p50: median, p90: median, p99: median });

function level(extra: Partial<LevelSummary>): LevelSummary {
  return {
    level: 0, load: { kind: "concurrency", concurrency: 2 }, requests: { sent: 8, completed: 8, errored: 0, aborted: 0, warmup: 0 },
    errors_by_code: {}, duration_s: 1, request_per_s: 8, input_tokens_per_s: 800, output_tokens_per_s: 80, total_tokens_per_s: 880,
    input_tokens_total: 800, output_tokens_total: 80, ttft_ms: dist(20), interrupted: false, warnings: [], ...extra,
  };
}

function summary(levels: LevelSummary[]): RunSummary {
  return {
    schema: "servebench.summary/1",
    servebench_version: "0.1.0",
    run: { started_at: "2026-12-04T00:00:00Z", target: "http://127.0.0.1:1", embedded_simulator: false, model: "tiny", endpoint: "chat", tokenizer: "t", workload: "w", strict: false, percentiles: [50], seed: 0, predicted: false, interrupted: false, input_token_count: "server-tokenize", profile: "levels" },
    levels,
  } as unknown as RunSummary;
}

describe("summary.md", () => {
  it("shows the best-case, /metrics and response-reported prefix-cache hit rates", () => {
    const md = renderMarkdown(summary([level({ prefix_cache: { groups: 2, prefix_tokens: 128, best_case_hit_rate: 0.7, measured_hit_rate: 0.65 }, usage_cache: { requests: 8, cached_prompt_tokens: 520, prompt_tokens: 800, hit_rate: 0.65 } })]));
    expect(md).toMatch(/## Prefix cache/);
    expect(md).toMatch(/\| 2 \| 70\.00% \| – \| 65\.00% of 8 requests \|/);
    expect(md).toMatch(/cached prompt tokens 65\.00%/);
  });

  it("shows first-turn vs later-turn TTFT of multi-turn sessions", () => {
    const md = renderMarkdown(summary([level({ by_turn: { first: { requests: 2, ttft_ms: dist(40) }, later: { requests: 4, ttft_ms: dist(12.5) } } })]));
    expect(md).toMatch(/## First vs later turns/);
    expect(md).toMatch(/\| 2 \| 2 \| 40\.00 \| 4 \| 12\.50 \|/);
  });

  it("leaves both out when the run has neither", () => {
    const md = renderMarkdown(summary([level({})]));
    expect(md).not.toMatch(/Prefix cache|First vs later/);
  });
});
