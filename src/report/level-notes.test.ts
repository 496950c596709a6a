// The per-level Notes of summary.md and of `servebench report` (report.html, report.md) say the
// same things: a reasoning run's first-answer-token time is in both, beside its token counts,
// with cancellation, energy and cost.
import { describe, expect, it } from "vitest";
import type { FlatDistribution, LevelSummary } from "../metrics/level.js";
import type { RunSummary } from "../results/run-summary.js";
import type { DiscoveredRun } from "./discover.js";
import { renderMarkdown } from "./markdown.js";
import { perLevelTable } from "./seed-tables.js";

const dist = (median: number): FlatDistribution => ({ count: 8, mean: median, median, std: 1, min: median, max: median, p50: median, p90: median, p99: median });

const level: LevelSummary = {
  level: 0,
  load: { kind: "concurrency", concurrency: 2 },
  requests: { sent: 10, completed: 8, errored: 0, aborted: 2, warmup: 0 },
  errors_by_code: {},
  duration_s: 1,
  request_per_s: 8,
  input_tokens_per_s: 800,
  output_tokens_per_s: 80,
  total_tokens_per_s: 880,
  input_tokens_total: 800,
  output_tokens_total: 80,
  ttft_ms: dist(20),
  ttfc_ms: dist(140.25),
  reasoning: { requests: 8, reasoning_tokens_total: 48, answer_tokens_total: 32 },
  cancelled: { requests: 2, rate: 0.2, after: "2000 ms" },
  energy: { source: "cmd:x", samples: 3, gpus: 1, avg_power_w: 200, joules: 200, joules_per_output_token: 2.5 },
  cost: { usd_per_gpu_hour: 0.45, gpus: 1, usd_per_million_output_tokens: 1.5625, usd_per_million_input_tokens: 0.15625 },
  interrupted: false,
  warnings: [],
};

const summary = {
  schema: "servebench.summary/1",
  servebench_version: "0.1.0",
  run: { started_at: "2026-12-04T00:00:00Z", target: "http://127.0.0.1:1", embedded_simulator: false, model: "tiny", endpoint: "chat", tokenizer: "t", workload: "w", strict: false, percentiles: [50], seed: 0, predicted: false, interrupted: false, input_token_count: "server-tokenize", profile: "levels" },
  levels: [level],
} as unknown as RunSummary;

describe("per-level notes", () => {
  it("the report's per-level table carries what summary.md says, first answer token included", () => {
    const run = { dir: "/r", relDir: "r", label: "r", dimensions: {}, cellId: null, cellIndex: null, planDimensions: null, planName: null, imported: false, summary } as unknown as DiscoveredRun;
    const table = perLevelTable(run);
    const notes = String(table.rows[0]?.[table.columns.findIndex((c) => c.key === "notes")]);
    const expected = "reasoning 48 / answer 32 tokens, first answer token 140.3 ms (mean); cancelled 2 after 2000 ms; 200 W, 2.500 J per output token; $1.56 per M output tokens";
    expect(notes).toBe(expected);
    expect(renderMarkdown(summary)).toContain(`| ${expected} |`);
  });
});
