// Owns summary.md: the per-level table in the layout our users write by hand (seed 001),
// followed by errors, strict-mode findings and warnings, so nothing suspect is hidden.

import { SMALL_SAMPLE_WARNING, type LevelSummary } from "../metrics/level.js";
import { fixed, levelNotes, loadLabel, sloSearchText, targetText, tokenRange } from "./format.js";
import { mdCell, mdCode } from "./escape.js";
import type { RunSummary } from "../results/run-summary.js";
import { ENDPOINT_PATHS } from "../workload/request-spec.js";

// Every string here may come from a server (model id, error codes, warnings) or a handed-over
// summary.json: it goes through mdCell (controls stripped, HTML neutralised, pipes escaped).
const escapeCell = (text: unknown): string => mdCell(text);

const notes = (level: LevelSummary): string => escapeCell(levelNotes(level));

export function renderMarkdown(summary: RunSummary): string {
  const { run } = summary;
  const lines: string[] = [];
  lines.push(`# servebench: ${escapeCell(run.model)}${run.predicted ? " (PREDICTED, not measured)" : ""}`);
  lines.push("");
  lines.push(`- Target: ${escapeCell(targetText(run))} · endpoint \`/v1${ENDPOINT_PATHS[run.endpoint]}\` · started ${escapeCell(run.started_at)}`);
  lines.push(`- Workload: ${escapeCell(run.workload)} · tokenizer ${escapeCell(run.tokenizer)}${run.strict ? " · strict" : ""}`);
  if (run.slo) lines.push(`- SLO: ${mdCode(run.slo)}`);
  const search = sloSearchText(run);
  if (search !== undefined) lines.push(`- SLO search: ${escapeCell(search)}`);
  lines.push("- TTFT, E2E and TPOT are means over successful requests; Prompt TPS = prompt tokens / TTFT and Decode TPS = 1000 / TPOT, averaged per request (docs/metrics.md).");
  lines.push("");
  const rateRun = summary.levels.some((l) => l.load.kind === "rate");
  lines.push(`| ${rateRun ? "Rate (req/s)" : "Concurrency"} | QPS | Prompt TPS mean (token/s) | Decode TPS mean (token/s) | TTFT mean (ms) | E2E mean (ms) | TPOT mean (ms) | Output TPS (token/s) | Input tokens | Output tokens | Done / sent | Notes |`);
  lines.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const l of summary.levels) {
    const load = l.load.kind === "concurrency" ? String(l.load.concurrency) : String(l.load.rate_per_s);
    lines.push(
      `| ${load} | ${fixed(l.request_per_s, 3)} | ${fixed(l.prefill_tokens_per_s?.mean, 3)} | ${fixed(l.decode_tokens_per_s?.mean, 3)} | ${fixed(l.ttft_ms?.mean, 3)} | ${fixed(l.e2e_ms?.mean, 3)} | ${fixed(l.tpot_ms?.mean, 3)} | ${fixed(l.output_tokens_per_s, 2)} | ${tokenRange(l.input_tokens)} | ${tokenRange(l.output_tokens)} | ${l.requests.completed} / ${l.requests.sent} | ${notes(l)} |`,
    );
  }
  lines.push(...prefixCacheSection(summary.levels, rateRun), ...turnSection(summary.levels, rateRun));
  // The table shows means; the small-sample note is about the percentiles in summary.json, so it
  // is said once for the levels it concerns rather than once per level of every short sweep.
  const smallSample = new Map<string, string[]>();
  const warnings: string[] = [];
  for (const l of summary.levels) {
    for (const w of l.warnings) {
      const m = SMALL_SAMPLE_WARNING.exec(w);
      if (m?.[1] !== undefined) smallSample.set(m[1], [...(smallSample.get(m[1]) ?? []), loadLabel(l.load)]);
      else warnings.push(`- level ${l.level}: ${escapeCell(w)}`);
    }
  }
  for (const [need, levels] of smallSample) {
    warnings.push(`- note: ${escapeCell(need)}; fewer requests completed at ${escapeCell(levels.join(", "))} (summary.json's percentiles; use --requests to raise it)`);
  }
  if (warnings.length > 0) lines.push("", "## Warnings", "", ...warnings);
  const strictExamples = summary.levels.flatMap((l) => l.strict?.examples ?? []);
  if (strictExamples.length > 0) {
    lines.push("", "## Strict-mode mismatches (first examples)", "", "| Request | Field | Expected | Actual |", "|---|---|---:|---:|");
    for (const m of strictExamples.slice(0, 20)) lines.push(`| ${escapeCell(m.id)} | ${escapeCell(m.field)} | ${escapeCell(m.expected)} | ${escapeCell(m.actual ?? "no usage")} |`);
  }
  return `${lines.join("\n")}\n`;
}

const pct = (x: number | null | undefined): string => (typeof x === "number" ? `${(x * 100).toFixed(2)}%` : "–");

/** Best-case, /metrics and response-reported prefix-cache hit rates, when any level has one. */
function prefixCacheSection(levels: readonly LevelSummary[], rateRun: boolean): string[] {
  const shown = levels.filter((l) => l.prefix_cache !== undefined || l.usage_cache !== undefined || typeof l.server?.prefix_cache_hit_rate === "number");
  if (shown.length === 0) return [];
  const out = ["", "## Prefix cache", "", `| ${rateRun ? "Rate (req/s)" : "Concurrency"} | Best case | Server /metrics | Responses (cached_tokens) |`, "|---:|---:|---:|---:|"];
  for (const l of shown) {
    const server = l.server?.prefix_cache_hit_rate;
    out.push(`| ${loadOf(l)} | ${pct(l.prefix_cache?.best_case_hit_rate)} | ${pct(typeof server === "number" ? server : null)} | ${l.usage_cache === undefined ? "–" : `${pct(l.usage_cache.hit_rate)} of ${l.usage_cache.requests} requests`} |`);
  }
  return out;
}

/** Multi-turn sessions: first-turn TTFT (no history) against later turns (history in the prompt). */
function turnSection(levels: readonly LevelSummary[], rateRun: boolean): string[] {
  const shown = levels.filter((l) => l.by_turn !== undefined);
  if (shown.length === 0) return [];
  const out = ["", "## First vs later turns", "", `| ${rateRun ? "Rate (req/s)" : "Concurrency"} | First turns | First-turn TTFT p50 (ms) | Later turns | Later-turn TTFT p50 (ms) |`, "|---:|---:|---:|---:|---:|"];
  for (const l of shown) {
    const t = l.by_turn as NonNullable<LevelSummary["by_turn"]>;
    out.push(`| ${loadOf(l)} | ${t.first.requests} | ${fixed(t.first.ttft_ms?.median, 2)} | ${t.later.requests} | ${fixed(t.later.ttft_ms?.median, 2)} |`);
  }
  return out;
}

function loadOf(l: LevelSummary): string {
  return l.load.kind === "concurrency" ? String(l.load.concurrency) : String(l.load.rate_per_s);
}
