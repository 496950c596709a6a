// Owns the warnings that make a result suspect, each with the numbers that triggered it:
// client saturated or behind schedule, token-count mismatches, high error rate, a prefix-cache
// hit rate that flatters the result, and too few requests for the percentiles shown. Pure.

import type { LevelSummary } from "../metrics/level.js";
import { fmtNum, loadText } from "./analysis.js";
import type { RunInfo } from "../results/run-summary.js";

export const WARN_ERROR_RATE = 0.05;
export const WARN_PREFIX_HIT_RATE = 0.5;
/** Open loop: sends this late (p99) mean the client could not keep the schedule. */
export const WARN_SEND_DELAY_OPEN_MS = 10;
/** Closed loop: event-loop lag this large means the client, not the server, set the pace. */
export const WARN_SEND_DELAY_CLOSED_MS = 50;

export interface WarningContext {
  run: Pick<RunInfo, "percentiles" | "predicted" | "interrupted" | "imported">;
  /** Lines of requests.jsonl that could not be read (a torn last line after a crash). */
  malformedLines?: number;
}

function listLevels(levels: readonly LevelSummary[], value: (l: LevelSummary) => string): string {
  return levels.map((l) => `${loadText(l)} ${value(l)}`).join(", ");
}

/** Levels needed for the highest percentile shown to rest on at least one request beyond it. */
export function requestsNeeded(percentiles: readonly number[]): number {
  const maxP = Math.max(50, ...percentiles.filter((p) => p < 100));
  return Math.ceil(100 / (100 - maxP));
}

/**
 * Warnings for one run, one sentence each.
 * @example analyzeWarnings(summary.levels, { run: summary.run })
 */
export function analyzeWarnings(levels: readonly LevelSummary[], ctx: WarningContext): string[] {
  const out: string[] = [];
  if (ctx.run.imported) out.push(`imported from ${ctx.run.imported.source} (row ${ctx.run.imported.row}): numbers from another tool, not measured by servebench; no latency distributions`);
  if (ctx.run.predicted) out.push("predicted (virtual time), not measured");
  const failing = levels.filter((l) => l.requests.sent > 0 && l.requests.errored / l.requests.sent > WARN_ERROR_RATE);
  if (failing.length > 0) {
    out.push(`high error rate: ${listLevels(failing, (l) => `${l.requests.errored}/${l.requests.sent} (${fmtNum((l.requests.errored / l.requests.sent) * 100)}%)`)}`);
  }
  const behind = levels.filter((l) => l.load.kind === "rate" && l.load.max_concurrency === undefined && (l.send_delay_ms?.p99 ?? 0) > WARN_SEND_DELAY_OPEN_MS);
  if (behind.length > 0) {
    out.push(`client behind schedule (send delay p99 > ${WARN_SEND_DELAY_OPEN_MS} ms): ${listLevels(behind, (l) => `${fmtNum(l.send_delay_ms?.p99 ?? 0)} ms`)}; latency includes client lag`);
  }
  const lagging = levels.filter((l) => l.load.kind === "concurrency" && (l.send_delay_ms?.p99 ?? 0) > WARN_SEND_DELAY_CLOSED_MS);
  if (lagging.length > 0) {
    out.push(`client saturated (send delay p99 > ${WARN_SEND_DELAY_CLOSED_MS} ms in a closed loop): ${listLevels(lagging, (l) => `${fmtNum(l.send_delay_ms?.p99 ?? 0)} ms`)}`);
  }
  const clientBound = levels.filter((l) => (l.cross_check ?? []).some((c) => /client overload/i.test(c)) && (l.send_delay_ms?.p99 ?? 0) > 1);
  if (clientBound.length > 0) out.push(`client-side time beyond the server's own latency at ${clientBound.map(loadText).join(", ")} (see cross-check)`);
  const strict = levels.filter((l) => (l.strict?.mismatched ?? 0) > 0);
  if (strict.length > 0) out.push(`strict token mismatches: ${listLevels(strict, (l) => `${l.strict?.mismatched}/${l.strict?.checked}`)}`);
  const recount = levels.filter((l) => (l.client_token_check?.differing ?? 0) > 0);
  if (recount.length > 0) {
    out.push(`client tokenizer disagrees with the server's usage: ${listLevels(recount, (l) => `${l.client_token_check?.differing}/${l.client_token_check?.checked}`)}`);
  }
  const cached = levels.filter((l) => typeof l.server?.prefix_cache_hit_rate === "number" && l.server.prefix_cache_hit_rate >= WARN_PREFIX_HIT_RATE);
  if (cached.length > 0) {
    out.push(`prefix-cache hit rate flatters the result: ${listLevels(cached, (l) => `${fmtNum((l.server?.prefix_cache_hit_rate as number) * 100)}%`)}; prompts were largely served from cache, so TTFT and prompt throughput overstate a workload of unique prompts`);
  }
  if (!ctx.run.imported) {
    const needed = requestsNeeded(ctx.run.percentiles);
    const maxP = Math.max(...ctx.run.percentiles.filter((p) => p < 100));
    const few = levels.filter((l) => l.requests.completed > 0 && l.requests.completed < needed);
    if (few.length > 0) out.push(`too few requests for p${maxP} (needs ≥ ${needed} per level): ${listLevels(few, (l) => String(l.requests.completed))}`);
  }
  const interrupted = levels.filter((l) => l.interrupted);
  if (interrupted.length > 0 || ctx.run.interrupted) out.push(`interrupted before it finished${interrupted.length > 0 ? `: ${interrupted.map(loadText).join(", ")}` : ""}`);
  if ((ctx.malformedLines ?? 0) > 0) out.push(`${ctx.malformedLines} unreadable lines in requests.jsonl were skipped`);
  return out;
}

/**
 * What a warning is about, without its numbers: the text before its first ": " ("too few
 * requests for p99 (needs ≥ 100 per level)"), so a report can say it once for many cells.
 */
export function warningKind(text: string): string {
  if (text.startsWith("imported from ")) return "imported from another tool (numbers not measured by servebench)";
  const colon = text.indexOf(": ");
  return colon > 0 ? text.slice(0, colon) : text;
}
