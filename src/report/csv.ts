// Owns summary.csv: one row per level with every headline metric, for spreadsheets and plots.

import type { FlatDistribution, LevelSummary } from "../metrics/level.js";
import type { RunSummary } from "../results/run-summary.js";

const DISTRIBUTIONS = ["ttft_ms", "tpot_ms", "itl_ms", "e2e_ms", "send_delay_ms"] as const;

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(Number(value.toFixed(6))) : "") : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvColumns(percentiles: readonly number[]): string[] {
  const columns = [
    "level", "load_kind", "concurrency", "rate_per_s", "sent", "completed", "errored", "aborted", "duration_s",
    "request_per_s", "input_tokens_per_s", "output_tokens_per_s", "total_tokens_per_s",
    "input_tokens_total", "output_tokens_total", "goodput_request_per_s", "strict_mismatched",
    "prefix_cache_hit_rate",
  ];
  for (const d of DISTRIBUTIONS) {
    columns.push(`${d}_mean`, `${d}_std`, `${d}_min`, `${d}_max`, ...percentiles.map((p) => `${d}_p${p}`));
  }
  columns.push("usd_per_million_output_tokens", "usd_per_million_input_tokens", "avg_power_w", "joules_per_output_token");
  return columns;
}

function row(l: LevelSummary, percentiles: readonly number[]): unknown[] {
  const cells: unknown[] = [
    l.level, l.load.kind,
    l.load.kind === "concurrency" ? l.load.concurrency : l.load.max_concurrency,
    l.load.kind === "rate" ? l.load.rate_per_s : undefined,
    l.requests.sent, l.requests.completed, l.requests.errored, l.requests.aborted, l.duration_s,
    l.request_per_s, l.input_tokens_per_s, l.output_tokens_per_s, l.total_tokens_per_s,
    l.input_tokens_total, l.output_tokens_total, l.goodput?.request_per_s, l.strict?.mismatched,
    l.server?.prefix_cache_hit_rate,
  ];
  for (const d of DISTRIBUTIONS) {
    const dist: FlatDistribution | undefined = l[d];
    cells.push(dist?.mean, dist?.std, dist?.min, dist?.max, ...percentiles.map((p) => dist?.[`p${p}`]));
  }
  cells.push(l.cost?.usd_per_million_output_tokens, l.cost?.usd_per_million_input_tokens, l.energy?.avg_power_w, l.energy?.joules_per_output_token);
  return cells;
}

export function renderCsv(summary: RunSummary): string {
  const percentiles = summary.run.percentiles;
  const lines = [csvColumns(percentiles).join(",")];
  for (const l of summary.levels) lines.push(row(l, percentiles).map(csvCell).join(","));
  return `${lines.join("\n")}\n`;
}
