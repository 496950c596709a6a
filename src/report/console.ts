// Owns the terminal rendering of a run: an aligned per-level table and the warnings.

import { SMALL_SAMPLE_WARNING, type LevelSummary } from "../metrics/level.js";
import { fixed, loadLabel, sloSearchText } from "./format.js";
import type { RunSummary } from "../results/run-summary.js";

interface Column {
  title: string;
  cell: (l: RunSummary["levels"][number]) => string;
}

/** A p99 means something from 100 samples on; below that the console shows the max, named so. */
const P99_MIN_SAMPLES = 100;

const TTFT_P99: Column = { title: "TTFT p99", cell: (l) => fixed(l.ttft_ms?.p99, 1) };
const TTFT_MAX: Column = { title: "TTFT max", cell: (l) => fixed(l.ttft_ms?.max, 1) };
const E2E_P99: Column = { title: "E2E p99", cell: (l) => fixed(l.e2e_ms?.p99, 1) };
const E2E_MAX: Column = { title: "E2E max", cell: (l) => fixed(l.e2e_ms?.max, 1) };

const COLUMNS: Column[] = [
  { title: "load", cell: (l) => loadLabel(l.load) },
  { title: "ok/sent", cell: (l) => `${l.requests.completed}/${l.requests.sent}` },
  { title: "req/s", cell: (l) => fixed(l.request_per_s, 3) },
  { title: "out tok/s", cell: (l) => fixed(l.output_tokens_per_s, 1) },
  { title: "TTFT p50", cell: (l) => fixed(l.ttft_ms?.median, 1) },
  TTFT_P99,
  { title: "TPOT p50", cell: (l) => fixed(l.tpot_ms?.median, 2) },
  { title: "ITL p99", cell: (l) => fixed(l.itl_ms?.p99, 2) },
  { title: "E2E p50", cell: (l) => fixed(l.e2e_ms?.median, 1) },
  { title: "errors", cell: (l) => String(l.requests.errored) },
];

/** Embeddings generate nothing: their table is latency and prompt throughput. */
const EMBEDDING_COLUMNS: Column[] = [
  { title: "load", cell: (l) => loadLabel(l.load) },
  { title: "ok/sent", cell: (l) => `${l.requests.completed}/${l.requests.sent}` },
  { title: "req/s", cell: (l) => fixed(l.request_per_s, 3) },
  { title: "in tok/s", cell: (l) => fixed(l.input_tokens_per_s, 1) },
  { title: "E2E p50", cell: (l) => fixed(l.e2e_ms?.median, 1) },
  E2E_P99,
  { title: "errors", cell: (l) => String(l.requests.errored) },
];

export function renderConsoleTable(summary: RunSummary): string {
  // Every header names its statistic. A short level (the default run's 2x) gets "TTFT max", which
  // it is, rather than a p99 of a handful of requests and a warning about it on every run.
  const short = summary.levels.some((l) => l.requests.completed > 0 && l.requests.completed < P99_MIN_SAMPLES);
  const base = summary.run.endpoint === "embeddings" ? EMBEDDING_COLUMNS : COLUMNS;
  const columns = base.map((c) => (short && c === TTFT_P99 ? TTFT_MAX : short && c === E2E_P99 ? E2E_MAX : c));
  const rows = summary.levels.map((l) => columns.map((c) => c.cell(l)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join("  ");
  const out = [line(columns.map((c) => c.title)), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  const maxOf = summary.run.endpoint === "embeddings" ? "E2E" : "TTFT";
  out.push(`(latencies in ms, measured from the scheduled send time${short ? `; ${maxOf} max, not p99: a level had under ${P99_MIN_SAMPLES} requests` : ""})`);
  // The small-sample warning repeats on every level of a short sweep: say it once.
  const smallSample = new Map<string, string[]>();
  // A warning every level shares (a server without /metrics) is said once, naming the levels.
  const shared = new Map<string, LevelSummary[]>();
  for (const l of summary.levels) {
    for (const w of l.warnings) {
      const m = SMALL_SAMPLE_WARNING.exec(w);
      // The table already shows the max instead of the p99 this note is about.
      if (m && short && m[1] === `p99 needs at least ${P99_MIN_SAMPLES} to mean anything`) continue;
      if (m) smallSample.set(m[1] as string, [...(smallSample.get(m[1] as string) ?? []), loadLabel(l.load)]);
      else shared.set(w, [...(shared.get(w) ?? []), l]);
    }
  }
  for (const [w, levels] of shared) {
    const which = levels.length === 1 ? `level ${levels[0]?.level} (${loadLabel((levels[0] as LevelSummary).load)})` : `levels ${levels.map((l) => l.level).join(", ")} (${levels.map((l) => loadLabel(l.load)).join(", ")})`;
    out.push(`warning: ${which}: ${w}`);
  }
  for (const l of summary.levels) {
    for (const w of l.cross_check ?? []) out.push(`cross-check: level ${l.level} (${loadLabel(l.load)}): ${w}`);
  }
  for (const [need, levels] of smallSample) {
    out.push(`note: ${need}; fewer requests completed at ${levels.join(", ")} (use --requests to raise it)`);
  }
  const search = sloSearchText(summary.run);
  // Ending at the search's own ceiling is not a capacity: said as a warning.
  if (search !== undefined) out.push(`${summary.run.slo_search?.failed_above === null && search.startsWith("every probed") ? "warning: " : ""}slo-search: ${search}`);
  return `${out.join("\n")}\n`;
}
