// Owns the findings stated once for a whole plan: what the matrix is, which dimension moves
// Gen TPS and by how much (the others held fixed), errors by cell, and each kind of warning
// with the number of cells it hit instead of once per cell. Pure.

import type { LevelSummary } from "../metrics/level.js";
import { fmtNum, loadText } from "./analysis.js";
import { warningKind } from "./analysis-warnings.js";
import type { DiscoveredRun } from "./discover.js";
import { sameConfigurationTest } from "./cross-tables.js";
import type { MatrixLayout } from "./matrix-layout.js";

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface DimensionEffect {
  dimension: string;
  /** Median over groups (all other dimensions and the load fixed) of fastest / slowest − 1. */
  medianSpread: number;
  maxSpread: number;
  groups: number;
  /** How often each value was the fastest of its group, most often first. */
  wins: Array<[string, number]>;
}

interface Point {
  run: DiscoveredRun;
  level: LevelSummary;
}

/** How much Gen TPS changes across each dimension's values with everything else the same. */
export function dimensionEffects(layout: MatrixLayout, runs: readonly DiscoveredRun[]): DimensionEffect[] {
  const points: Point[] = runs.flatMap((run) => run.summary.levels.filter((l) => l.requests.completed > 0).map((level) => ({ run, level })));
  const out: DimensionEffect[] = [];
  for (const dim of layout.dimensions) {
    const others = layout.dimensions.filter((d) => d !== dim);
    const groups = new Map<string, Point[]>();
    for (const p of points) {
      const key = JSON.stringify([...others.map((d) => p.run.dimensions[d] ?? ""), p.level.load]);
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    const spreads: number[] = [];
    const wins = new Map<string, number>();
    // A group that ran one configuration under several names (seed 003's 1-GPU "tp" and "pp") has no effect to show.
    const alike = sameConfigurationTest(
      [...groups.values()].map((g) => g.map((p) => p.run)),
      layout.attributes,
    );
    for (const g of groups.values()) {
      if (new Set(g.map((p) => p.run.dimensions[dim])).size < 2) continue;
      if (alike(g.map((p) => p.run))) continue;
      const best = g.reduce((a, b) => (b.level.output_tokens_per_s > a.level.output_tokens_per_s ? b : a));
      const worst = g.reduce((a, b) => (b.level.output_tokens_per_s < a.level.output_tokens_per_s ? b : a));
      if (!(worst.level.output_tokens_per_s > 0)) continue;
      spreads.push(best.level.output_tokens_per_s / worst.level.output_tokens_per_s - 1);
      const v = best.run.dimensions[dim] ?? "";
      wins.set(v, (wins.get(v) ?? 0) + 1);
    }
    if (spreads.length === 0) continue;
    out.push({ dimension: dim, medianSpread: median(spreads), maxSpread: Math.max(...spreads), groups: spreads.length, wins: [...wins.entries()].sort((a, b) => b[1] - a[1]) });
  }
  return out.sort((a, b) => b.medianSpread - a.medianSpread);
}

const pct = (f: number): string => `${(f * 100).toFixed(1)}%`;

/** "Which dimension matters": one ranked sentence, then one per dimension with its winners. */
export function effectFindings(effects: readonly DimensionEffect[]): string[] {
  if (effects.length === 0) return [];
  const ranked = effects.map((e) => `${e.dimension} ${pct(e.medianSpread)}`).join(", ");
  const out = [`What moves Gen TPS (median gap between a dimension's fastest and slowest value, everything else the same): ${ranked}.`];
  for (const e of effects) {
    const [top] = e.wins;
    if (!top) continue;
    out.push(`${e.dimension}: up to ${pct(e.maxSpread)} between its values; ${top[0]} is the fastest in ${top[1]} of ${e.groups} comparison${e.groups === 1 ? "" : "s"}.`);
  }
  return out;
}

/** The matrix in one sentence: its dimensions, cell count, requests and loads. */
export function matrixSentence(layout: MatrixLayout, runs: readonly DiscoveredRun[]): string {
  const levels = runs.flatMap((r) => r.summary.levels);
  const sent = levels.reduce((a, l) => a + l.requests.sent, 0);
  const loads = [...new Set(levels.map(loadText))];
  const dims = layout.dimensions.map((d) => `${d} (${layout.values[d]?.length ?? 0})`).join(" × ");
  const shape = dims === "" ? `${runs.length} runs` : `${runs.length} cells: ${dims}`;
  const extra = layout.attributes.length > 0 ? `; ${layout.attributes.join(", ")} set per cell by the plan's include` : "";
  return `${shape}; ${fmtNum(sent, 0)} requests at ${loads.join(", ")}${extra}.`;
}

/** Seed 003's "notable errors", for every cell at once. */
export function errorFinding(runs: readonly DiscoveredRun[]): string {
  const points = runs.flatMap((run) => run.summary.levels.map((level) => ({ run, level })));
  const sent = points.reduce((a, p) => a + p.level.requests.sent, 0);
  const failing = points.filter((p) => p.level.requests.errored > 0).sort((a, b) => b.level.requests.errored - a.level.requests.errored);
  const what = runs.length === 1 ? "run" : "cells";
  if (failing.length === 0) return `No errors in any of the ${runs.length} ${what} (${fmtNum(sent, 0)} requests).`;
  const multiLoad = runs.some((r) => r.summary.levels.length > 1);
  const name = (p: (typeof points)[number]): string => (multiLoad ? `${p.run.label} @ ${loadText(p.level)}` : p.run.label);
  const codes = (l: LevelSummary): string => Object.entries(l.errors_by_code).map(([c, n]) => `${c}×${n}`).join(", ");
  const failed = new Set(failing.map((p) => p.run)).size;
  return `Errors in ${failed} of ${runs.length} ${what}: ${failing.map((p) => `${name(p)} (${p.level.requests.errored} of ${p.level.requests.sent}: ${codes(p.level)})`).join("; ")}.`;
}

/** Each kind of warning once, with how many cells it hit (and its numbers when they are the same everywhere). */
export function collectWarnings(perRun: ReadonlyArray<{ label: string; warnings: readonly string[] }>): string[] {
  const kinds = new Map<string, Array<{ label: string; detail: string }>>();
  for (const r of perRun) {
    for (const w of r.warnings) {
      const kind = warningKind(w);
      const detail = w.startsWith(`${kind}: `) ? w.slice(kind.length + 2) : w === kind ? "" : w;
      kinds.set(kind, [...(kinds.get(kind) ?? []), { label: r.label, detail }]);
    }
  }
  const out: string[] = [];
  for (const [kind, hits] of kinds) {
    const details = new Set(hits.map((h) => h.detail));
    // The numbers once when every hit has the same ones (and there is more than one hit).
    const shared = details.size === 1 && hits.length > 1 ? ([...details][0] as string) : "";
    const where = hits.length === perRun.length ? `all ${perRun.length} cells` : `${hits.length} of ${perRun.length} cells`;
    const shown = hits.slice(0, 4).map((h) => (shared !== "" || h.detail === "" ? h.label : `${h.label} (${h.detail})`));
    const list = hits.length === perRun.length ? "" : `: ${shown.join("; ")}${hits.length > shown.length ? `; and ${hits.length - shown.length} more` : ""}`;
    out.push(`${kind} in ${where}${shared !== "" ? ` (${shared})` : ""}${list}`);
  }
  return out;
}
