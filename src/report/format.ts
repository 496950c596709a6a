// Owns number and label formatting shared by the text renderers (console, markdown, csv, environment table).

import type { LevelSummary } from "../metrics/level.js";

export function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? "" : value.toFixed(digits);
}

/** "10000" when every request had the same count, "min–max" otherwise. */
export function tokenRange(d: { min: number; max: number } | undefined): string {
  if (!d) return "";
  return d.min === d.max ? String(d.min) : `${d.min}–${d.max}`;
}

export function loadLabel(load: { kind: string; concurrency?: number; rate_per_s?: number }): string {
  return load.kind === "concurrency" ? `c=${load.concurrency}` : `${load.rate_per_s}/s`;
}

/** What was benchmarked: the URL, or the embedded simulator and the engine it ran. */
export function targetText(run: { target: string; embedded_simulator: boolean; simulator?: { description: string } }): string {
  if (!run.embedded_simulator) return run.target;
  return run.simulator === undefined ? "embedded simulator" : `embedded simulator: ${run.simulator.description}`;
}

/** One sentence for `--profile slo-search`: the highest load that met the SLO and how sure the search is. */
export function sloSearchText(run: {
  slo_max_rate_per_s?: number | null;
  slo_max_concurrency?: number | null;
  slo_search?: { by: "rate" | "concurrency"; slo: string; probes: number; converged: boolean; failed_above: number | null };
}): string | undefined {
  const s = run.slo_search;
  if (s === undefined) return undefined;
  const unit = s.by === "rate" ? " req/s" : " concurrent requests";
  const best = s.by === "rate" ? run.slo_max_rate_per_s : run.slo_max_concurrency;
  // No probe above the best failed: the search ran out of probes while doubling, so the best is
  // only where it stopped, a lower bound of the capacity, never the capacity itself.
  const ceiling = best !== null && best !== undefined && s.failed_above === null;
  const head =
    best === null || best === undefined
      ? `no probed load met ${s.slo}`
      : ceiling
        ? `every probed load met ${s.slo}: the capacity is above ${best}${unit}, the highest probed (raise --slo-max-levels or --slo-start to find it)`
        : `${best}${unit} is the highest load that met ${s.slo}`;
  const above = s.failed_above === null ? "" : `; ${s.failed_above}${unit} failed`;
  return `${head} (${s.probes} probes${above}${s.converged || ceiling ? "" : "; not converged: raise --slo-max-levels"})`;
}

/**
 * A level's Notes cell, unescaped: summary.md and the report's per-level table (report.html,
 * report.md) both show it, so they say the same things.
 */
export function levelNotes(level: LevelSummary): string {
  const parts: string[] = [];
  if (level.requests.errored > 0) parts.push(`errors: ${Object.entries(level.errors_by_code).map(([c, n]) => `${c}×${n}`).join(", ")}`);
  if (level.strict) {
    parts.push(level.strict.checked === 0 ? "strict: nothing checked (no successful request)" : level.strict.mismatched === 0 ? "strict ✓" : `strict ✗ ${level.strict.mismatched} mismatched`);
  }
  const hitRate = level.server?.prefix_cache_hit_rate;
  if (typeof hitRate === "number") parts.push(`prefix cache hit ${(hitRate * 100).toFixed(2)}%`);
  else if (level.usage_cache !== undefined) parts.push(`cached prompt tokens ${(level.usage_cache.hit_rate * 100).toFixed(2)}%`);
  if (level.goodput) parts.push(`goodput ${level.goodput.request_per_s.toFixed(3)} req/s`);
  if (level.reasoning !== undefined) {
    const answerMs = level.ttfc_ms?.mean;
    parts.push(`reasoning ${level.reasoning.reasoning_tokens_total} / answer ${level.reasoning.answer_tokens_total} tokens${answerMs === undefined ? "" : `, first answer token ${answerMs.toFixed(1)} ms (mean)`}`);
  }
  if (level.cancelled !== undefined) parts.push(`cancelled ${level.cancelled.requests} after ${level.cancelled.after}`);
  if (level.energy !== undefined) parts.push(`${level.energy.avg_power_w.toFixed(0)} W, ${level.energy.joules_per_output_token?.toFixed(3) ?? "–"} J per output token`);
  const usd = level.cost?.usd_per_million_output_tokens;
  if (typeof usd === "number") parts.push(`$${usd.toFixed(2)} per M output tokens`);
  if (level.interrupted) parts.push("interrupted");
  return parts.join("; ");
}
