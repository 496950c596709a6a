// Owns the verdict of a run: did the target answer, did --strict and the aggregate SLO terms hold.
// Pure (summaries in, verdict out); the CLI maps the status to an exit code (src/cli/exit-codes.ts).
// A run where some but not all requests failed is "partial" (exit 0) unless a threshold says otherwise.

import type { LevelSummary } from "../metrics/level.js";
import type { RunInfo, RunStatus, RunVerdictInfo } from "../results/run-summary.js";

export type { RunStatus };
export type RunVerdict = RunVerdictInfo;

/**
 * Why a level counts as the target failing, or undefined: every measured request failed, or the
 * error rate passed --max-error-rate. (A level stopped because the server stopped answering is
 * marked by the level runner itself.)
 */
export function levelTargetFailure(level: LevelSummary, maxErrorRate: number | undefined): string | undefined {
  const { sent, completed, errored, aborted } = level.requests;
  // An interrupted level's aborted requests say nothing about the server.
  const judged = sent - (level.interrupted ? aborted : 0);
  if (judged <= 0) return undefined;
  if (completed === 0) return `every one of the ${judged} requests failed`;
  if (maxErrorRate !== undefined && errored / judged > maxErrorRate) {
    return `error rate ${pct(errored / judged)} (${errored} of ${judged}) is above --max-error-rate ${pct(maxErrorRate)}`;
  }
  return undefined;
}

export function runVerdict(run: Pick<RunInfo, "interrupted" | "strict" | "profile" | "slo_search">, levels: readonly LevelSummary[]): RunVerdict {
  const found: Record<Exclude<RunStatus, "ok">, string[]> = { interrupted: [], target_failed: [], strict_mismatch: [], slo_not_met: [], partial: [] };
  if (run.interrupted) found.interrupted.push("interrupted before the run finished");
  for (const l of levels) {
    const name = `level ${l.level} (${loadText(l)})`;
    if (l.target_failed !== undefined) found.target_failed.push(`${name}: ${l.target_failed}`);
    else if (l.requests.errored > 0) found.partial.push(`${name}: ${l.requests.errored} of ${l.requests.sent} requests failed`);
    if (run.strict && l.strict !== undefined && l.strict.mismatched > 0) {
      found.strict_mismatch.push(`${name}: --strict: ${l.strict.mismatched} of ${l.strict.checked} requests had token counts different from the target`);
    }
    if (run.strict && (l.usage_impossible?.requests ?? 0) > 0) {
      found.strict_mismatch.push(`${name}: --strict: the server's usage was impossible on ${l.usage_impossible?.requests} requests`);
    }
  }
  const search = run.profile === "slo-search" || run.profile === "sweep";
  const checked = levels.filter((l) => l.slo_check !== undefined);
  if (search) {
    if (run.slo_search !== undefined && run.slo_search.level === null) found.slo_not_met.push("slo-search: no probed load met the SLO");
    else if (run.profile === "sweep" && checked.length > 0 && !checked.some((l) => l.slo_check?.met === true))
      found.slo_not_met.push("sweep: no level met the SLO");
  } else {
    for (const l of checked) {
      if (l.slo_check?.met === false) {
        const failed = l.slo_check.terms.filter((t) => !t.met).map((t) => `${t.term} (actual ${t.actual === null ? "none" : round(t.actual)})`);
        found.slo_not_met.push(`level ${l.level} (${loadText(l)}): SLO not met: ${failed.join(", ")}`);
      }
    }
  }
  const order: Array<Exclude<RunStatus, "ok">> = ["interrupted", "target_failed", "strict_mismatch", "slo_not_met", "partial"];
  const status = order.find((s) => found[s].length > 0) ?? "ok";
  return { status, reasons: order.flatMap((s) => found[s]) };
}

function loadText(l: LevelSummary): string {
  return l.load.kind === "concurrency" ? `concurrency ${l.load.concurrency}` : `rate ${l.load.rate_per_s}/s`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function round(x: number): string {
  return x.toFixed(x >= 100 ? 0 : 2);
}

/**
 * The verdict of a summary whose levels were not judged while running (merged shards): each
 * level's target failure is derived from its counts first.
 */
export function judgeSummary(summary: { run: Parameters<typeof runVerdict>[0]; levels: LevelSummary[] }, maxErrorRate: number | undefined): RunVerdict {
  for (const l of summary.levels) {
    if (l.target_failed === undefined) {
      const failed = levelTargetFailure(l, maxErrorRate);
      if (failed !== undefined) l.target_failed = failed;
    }
  }
  return runVerdict(summary.run, summary.levels);
}
