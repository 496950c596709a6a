// Owns the per-run tables in our users' layouts: the per-level table (seed 001), latency
// percentiles, the concurrency sweep (seed 004) and errors by code. Pure: summaries in, tables out.

import type { FlatDistribution, LevelSummary } from "../metrics/level.js";
import { loadText, loadValue } from "./analysis.js";
import type { DiscoveredRun } from "./discover.js";
import { slug } from "./escape.js";
import { levelNotes, tokenRange } from "./format.js";
import type { CellValue, Column, Table } from "./table.js";

function sorted(levels: readonly LevelSummary[]): LevelSummary[] {
  return [...levels].sort((a, b) => loadValue(a) - loadValue(b) || a.level - b.level);
}

function loadColumn(levels: readonly LevelSummary[]): Column {
  const rate = levels.some((l) => l.load.kind === "rate");
  return rate ? { key: "rate_per_s", title: "Rate (req/s)", digits: 2 } : { key: "concurrency", title: "Concurrency", format: "int" };
}

/** Seed 001: one row per level with QPS, prompt/decode TPS, mean TTFT/E2E/TPOT, actual tokens, notes. */
export function perLevelTable(run: DiscoveredRun): Table {
  const levels = sorted(run.summary.levels);
  return {
    id: `levels-${slug(run.label)}`,
    title: `Per-level results: ${run.label}`,
    columns: [
      loadColumn(levels),
      { key: "qps", title: "QPS", digits: 3 },
      { key: "prompt_tps", title: "Prompt TPS (token/s)", digits: 3 },
      { key: "decode_tps", title: "Decode TPS (token/s)", digits: 3 },
      { key: "ttft_ms_mean", title: "TTFT (ms)", digits: 3 },
      { key: "e2e_ms_mean", title: "E2E (ms)", digits: 3 },
      { key: "tpot_ms_mean", title: "TPOT (ms)", digits: 3 },
      { key: "output_tokens_per_s", title: "Output TPS (token/s)", digits: 2 },
      { key: "input_tokens", title: "Input tokens", align: "right" },
      { key: "output_tokens", title: "Output tokens", align: "right" },
      { key: "done_sent", title: "Done / sent", align: "right" },
      { key: "notes", title: "Notes" },
    ],
    rows: levels.map((l) => [
      loadValue(l),
      l.request_per_s,
      l.prefill_tokens_per_s?.mean ?? null,
      l.decode_tokens_per_s?.mean ?? null,
      l.ttft_ms?.mean ?? null,
      l.e2e_ms?.mean ?? null,
      l.tpot_ms?.mean ?? null,
      l.output_tokens_per_s,
      tokenRange(l.input_tokens) || null,
      tokenRange(l.output_tokens) || null,
      `${l.requests.completed} / ${l.requests.sent}`,
      levelNotes(l),
    ]),
    notes: ["TTFT, E2E and TPOT are means over successful requests; Prompt TPS = prompt tokens / TTFT and Decode TPS = 1000 / TPOT, averaged per request (docs/metrics.md)."],
  };
}

const LATENCY_METRICS = [
  ["ttft_ms", "TTFT"],
  ["tpot_ms", "TPOT"],
  ["itl_ms", "ITL"],
  ["e2e_ms", "E2E"],
] as const;
const LATENCY_PERCENTILES = [50, 90, 99] as const;

/** p50/p90/p99 of TTFT, TPOT, ITL and E2E per level (ms). */
export function latencyTable(run: DiscoveredRun): Table {
  const levels = sorted(run.summary.levels);
  const columns: Column[] = [loadColumn(levels)];
  for (const [key, name] of LATENCY_METRICS) for (const p of LATENCY_PERCENTILES) columns.push({ key: `${key}_p${p}`, title: `${name} p${p}`, digits: 2 });
  columns.push({ key: "completed", title: "Requests", format: "int" });
  return {
    id: `latency-${slug(run.label)}`,
    title: `Latency percentiles (ms): ${run.label}`,
    columns,
    rows: levels.map((l) => {
      const row: CellValue[] = [loadValue(l)];
      for (const [key] of LATENCY_METRICS) {
        const d: FlatDistribution | undefined = l[key];
        for (const p of LATENCY_PERCENTILES) row.push(d?.[`p${p}`] ?? null);
      }
      row.push(l.requests.completed);
      return row;
    }),
  };
}

/** Seed 004: Concurrency | Total Time (s) | Avg Latency (s) | Requests/sec | Tokens/sec. */
export function sweepTable(run: DiscoveredRun): Table {
  const levels = sorted(run.summary.levels);
  return {
    id: `sweep-${slug(run.label)}`,
    title: `Concurrency sweep: ${run.label}`,
    columns: [
      loadColumn(levels),
      { key: "total_time_s", title: "Total Time (s)", digits: 2 },
      { key: "avg_latency_s", title: "Avg Latency (s)", digits: 2 },
      { key: "request_per_s", title: "Requests/sec", digits: 2 },
      { key: "output_tokens_per_s", title: "Tokens/sec", digits: 2 },
    ],
    rows: levels.map((l) => [loadValue(l), l.duration_s, l.e2e_ms ? l.e2e_ms.mean / 1000 : null, l.request_per_s, l.output_tokens_per_s]),
  };
}

/** Errors by code per level, with the first message seen (server text). */
export function errorTable(runs: readonly DiscoveredRun[], examples: (run: DiscoveredRun, level: number, code: string) => string | undefined): Table | null {
  const rows: CellValue[][] = [];
  for (const run of runs) {
    for (const l of sorted(run.summary.levels)) {
      for (const [code, count] of Object.entries(l.errors_by_code).sort((a, b) => b[1] - a[1])) {
        rows.push([run.label, loadText(l), code, count, l.requests.sent > 0 ? count / l.requests.sent : null, examples(run, l.level, code) ?? ""]);
      }
    }
  }
  if (rows.length === 0) return null;
  return {
    id: "errors",
    title: "Errors by code",
    columns: [
      { key: "run", title: "Run" },
      { key: "load", title: "Load" },
      { key: "code", title: "Code" },
      { key: "count", title: "Count", format: "int" },
      { key: "share", title: "Share of sent", digits: 1, format: "share" },
      { key: "example", title: "First message" },
    ],
    rows,
  };
}

/**
 * The prefix cache per level: the best-case hit rate of shared-prefix groups (what a perfect
 * cache would serve), the server's /metrics hit rate and the responses' cached-token share.
 * Undefined when no level has any of them.
 */
export function prefixCacheTable(run: DiscoveredRun): Table | undefined {
  const levels = sorted(run.summary.levels).filter((l) => l.prefix_cache !== undefined || l.usage_cache !== undefined || typeof l.server?.prefix_cache_hit_rate === "number");
  if (levels.length === 0) return undefined;
  return {
    id: `prefix-cache-${slug(run.label)}`,
    title: `Prefix cache: ${run.label}`,
    columns: [
      loadColumn(levels),
      { key: "best_case_hit_rate", title: "Best case", format: "share", digits: 2 },
      { key: "server_hit_rate", title: "Server /metrics", format: "share", digits: 2 },
      { key: "usage_hit_rate", title: "Responses (cached_tokens)", format: "share", digits: 2 },
      { key: "usage_requests", title: "Requests reporting", format: "int" },
    ],
    rows: levels.map((l) => [
      loadValue(l),
      l.prefix_cache?.best_case_hit_rate ?? null,
      typeof l.server?.prefix_cache_hit_rate === "number" ? l.server.prefix_cache_hit_rate : null,
      l.usage_cache?.hit_rate ?? null,
      l.usage_cache?.requests ?? null,
    ]),
    notes: ["Best case: the share of prompt tokens a cache holding every earlier prompt of the level could serve. Server /metrics: Δhits / Δqueries over the level. Responses: Σ cached_tokens / Σ prompt_tokens of the completed requests (docs/metrics.md)."],
  };
}

/** Multi-turn sessions: TTFT of first turns (no history) against later turns (history, cacheable). */
export function turnSplitTable(run: DiscoveredRun): Table | undefined {
  const levels = sorted(run.summary.levels).filter((l) => l.by_turn !== undefined);
  if (levels.length === 0) return undefined;
  return {
    id: `turns-${slug(run.label)}`,
    title: `First vs later turns: ${run.label}`,
    columns: [
      loadColumn(levels),
      { key: "first_requests", title: "First turns", format: "int" },
      { key: "first_ttft_p50", title: "First-turn TTFT p50 (ms)", digits: 2 },
      { key: "first_input", title: "First-turn input tokens (mean)", digits: 0 },
      { key: "later_requests", title: "Later turns", format: "int" },
      { key: "later_ttft_p50", title: "Later-turn TTFT p50 (ms)", digits: 2 },
      { key: "later_input", title: "Later-turn input tokens (mean)", digits: 0 },
    ],
    rows: levels.map((l) => {
      const t = l.by_turn as NonNullable<LevelSummary["by_turn"]>;
      return [loadValue(l), t.first.requests, t.first.ttft_ms?.median ?? null, t.first.input_tokens?.mean ?? null, t.later.requests, t.later.ttft_ms?.median ?? null, t.later.input_tokens?.mean ?? null];
    }),
  };
}

/** With --gpu-hourly-cost: $ per million output and input tokens per level. */
export function costTable(run: DiscoveredRun): Table | undefined {
  const levels = sorted(run.summary.levels).filter((l) => l.cost !== undefined);
  if (levels.length === 0) return undefined;
  const first = levels[0]?.cost as NonNullable<LevelSummary["cost"]>;
  return {
    id: `cost-${slug(run.label)}`,
    title: `Cost: ${run.label}`,
    columns: [
      loadColumn(levels),
      { key: "output_tokens_per_s", title: "Output TPS (token/s)", digits: 2 },
      { key: "usd_per_million_output_tokens", title: "$ per M output tokens", digits: 3 },
      { key: "usd_per_million_input_tokens", title: "$ per M input tokens", digits: 3 },
    ],
    rows: levels.map((l) => [loadValue(l), l.output_tokens_per_s, l.cost?.usd_per_million_output_tokens ?? null, l.cost?.usd_per_million_input_tokens ?? null]),
    notes: [`${first.gpus} GPU${first.gpus === 1 ? "" : "s"} at $${first.usd_per_gpu_hour} per GPU-hour; each column charges all GPU time to that kind of token (docs/metrics.md, "Cost").`],
  };
}
