// Owns seed 003's tables for one section of a plan: presets as rows (Prompt TPS, Gen TPS, Avg
// Latency, request-level TPS, Errors), the side-by-side pair with its speedup in %, the
// observations under them, and what each cell ran (the keys a plan's include added). Pure.

import type { LevelSummary } from "../metrics/level.js";
import { loadText } from "./analysis.js";
import { pairColumns, promptTps, sameConfigurationTest } from "./cross-tables.js";
import type { DiscoveredRun } from "./discover.js";
import { slug } from "./escape.js";
import type { MatrixCell, MatrixLayout, MatrixSection } from "./matrix-layout.js";
import type { CellValue, Column, Table } from "./table.js";

export interface CellMetric {
  key: string;
  title: string;
  /** Axis title with its unit. */
  unit: string;
  digits: number;
  value: (run: DiscoveredRun, l: LevelSummary) => number | null;
}

/** Seed 003's columns, in its order. */
export const CELL_METRICS: readonly CellMetric[] = [
  { key: "prompt_tps", title: "Prompt TPS", unit: "prompt tokens/s", digits: 2, value: (r, l) => promptTps(r, l) },
  { key: "gen_tps", title: "Gen TPS", unit: "output tokens/s", digits: 2, value: (_, l) => l.output_tokens_per_s },
  { key: "avg_latency_s", title: "Avg Latency (s)", unit: "mean E2E latency (s)", digits: 2, value: (_, l) => (l.e2e_ms ? l.e2e_ms.mean / 1000 : null) },
  { key: "request_gen_tps", title: "Request Generation Level TPS", unit: "output tokens/s per request", digits: 2, value: (_, l) => l.decode_tokens_per_s?.mean ?? null },
  { key: "request_prompt_tps", title: "Request Prompt Level TPS", unit: "prompt tokens/s per request", digits: 2, value: (_, l) => l.prefill_tokens_per_s?.mean ?? null },
];

function keyColumns(layout: MatrixLayout, withSide: boolean): Column[] {
  const rows = layout.rowDims.length > 0 ? layout.rowDims.map((d) => ({ key: slug(d), title: d })) : [{ key: "run", title: "Run" }];
  return [...rows, ...(withSide && layout.side ? [{ key: slug(layout.side.dimension), title: layout.side.dimension }] : []), ...(layout.multiLoad ? [{ key: "load", title: "Load" }] : [])];
}

function keyCells(layout: MatrixLayout, c: MatrixCell, withSide: boolean): CellValue[] {
  return [c.row, ...(withSide && layout.side ? [c.side] : []), ...(layout.multiLoad ? [loadText(c.level)] : [])];
}

/** One row per cell and load of the section. */
export function sectionTable(layout: MatrixLayout, section: MatrixSection): Table {
  return {
    id: `${section.id}-cells`,
    title: section.title,
    columns: [...keyColumns(layout, true), ...CELL_METRICS.map((m) => ({ key: m.key, title: m.title, digits: m.digits })), { key: "errors", title: "Errors", format: "int" }],
    rows: section.cells.map((c) => [...keyCells(layout, c, true), ...CELL_METRICS.map((m) => m.value(c.run, c.level)), c.level.requests.errored]),
  };
}

export interface SidePair {
  row: string;
  load: string;
  a: MatrixCell;
  b: MatrixCell;
}

/** The section's rows that have both values of the side-by-side dimension (at the same load). */
export function sidePairs(layout: MatrixLayout, section: MatrixSection): SidePair[] {
  const side = layout.side;
  if (!side) return [];
  const out: SidePair[] = [];
  for (const a of section.cells.filter((c) => c.side === side.a)) {
    const b = section.cells.find((c) => c.side === side.b && c.row === a.row && JSON.stringify(c.level.load) === JSON.stringify(a.level.load));
    if (b) out.push({ row: a.row, load: loadText(a.level), a, b });
  }
  return out;
}

const gain = (x: number | null, y: number | null): number | null => (x !== null && y !== null && x > 0 ? y / x - 1 : null);

const alikeTests = new WeakMap<MatrixLayout, (p: SidePair) => boolean>();

/** Which side pairs ran one configuration under both names (seed 003's 1-GPU "tp" and "pp"), over every section; once per layout. */
function alikeTest(layout: MatrixLayout): (p: SidePair) => boolean {
  let test = alikeTests.get(layout);
  if (test === undefined) {
    const alike = sameConfigurationTest(
      layout.sections.flatMap((section) => sidePairs(layout, section).map((p) => [p.a.run, p.b.run])),
      layout.attributes,
    );
    test = (p) => alike([p.a.run, p.b.run]);
    alikeTests.set(layout, test);
  }
  return test;
}

/** Seed 003's "Pipeline vs Tensor" table: both values' Prompt and Gen TPS, and B's speedup over A. */
export function sideTable(layout: MatrixLayout, section: MatrixSection): Table | null {
  const side = layout.side;
  const pairs = sidePairs(layout, section);
  if (!side || pairs.length === 0) return null;
  const { a, b } = side;
  const alike = alikeTest(layout);
  return {
    id: `${section.id}-${slug(side.dimension)}`,
    title: `${section.title}: ${b} vs ${a}`,
    columns: [
      ...keyColumns(layout, false),
      ...pairColumns(a, b),
    ],
    rows: pairs.map((p) => {
      const pa = promptTps(p.a.run, p.a.level);
      const pb = promptTps(p.b.run, p.b.level);
      const ga = p.a.level.output_tokens_per_s;
      const gb = p.b.level.output_tokens_per_s;
      // One configuration under both names: no speedup to show, only noise.
      const same = alike(p);
      return [...keyCells(layout, p.a, false), pa, pb, ga, gb, same ? null : gain(pa, pb), same ? null : gain(ga, gb)];
    }),
  };
}

function speedupObservation(layout: MatrixLayout, section: MatrixSection): string | null {
  const alike = alikeTest(layout);
  const pairs = sidePairs(layout, section);
  const same = [...new Set(pairs.filter(alike).map((p) => p.row))];
  const gains = pairs
    .filter((p) => !alike(p))
    .map((p) => ({ p, g: gain(p.a.level.output_tokens_per_s, p.b.level.output_tokens_per_s) }))
    .filter((x): x is { p: SidePair; g: number } => x.g !== null)
    .sort((x, y) => x.g - y.g);
  const lo = gains[0];
  const hi = gains[gains.length - 1];
  if (!layout.side || !lo || !hi) return null;
  const name = (p: SidePair): string => (layout.multiLoad ? `${p.row} @ ${p.load}` : p.row);
  const fmt = (g: number): string => `${g >= 0 ? "+" : ""}${(g * 100).toFixed(1)}%`;
  const faster = gains.filter((x) => x.g > 0).length;
  const range = gains.length === 1 ? `${fmt(lo.g)} (${name(lo.p)})` : `from ${fmt(lo.g)} (${name(lo.p)}) to ${fmt(hi.g)} (${name(hi.p)})`;
  const note = same.length > 0 ? ` (${same.join(", ")}: one configuration under both names, left out)` : "";
  return `${layout.side.b} vs ${layout.side.a}: Gen speedup ${range}; ${layout.side.b} is faster in ${faster} of ${gains.length}${note}.`;
}

/** Seed 003's observations: highest Prompt and Gen TPS, the side-by-side speedups, the cells with errors. */
export function sectionObservations(layout: MatrixLayout, section: MatrixSection): string[] {
  const cells = section.cells.filter((c) => c.level.requests.completed > 0);
  if (cells.length === 0) return ["No cell completed a request."];
  const best = (f: (c: MatrixCell) => number): MatrixCell => cells.reduce((x, y) => (f(y) > f(x) ? y : x));
  const out: string[] = [];
  const bp = best((c) => promptTps(c.run, c.level) ?? -Infinity);
  const bpv = promptTps(bp.run, bp.level);
  if (bpv !== null && bpv > 0) out.push(`Highest Prompt TPS: ${bp.name} with ${bpv.toFixed(2)} tokens/s.`);
  const bg = best((c) => c.level.output_tokens_per_s);
  out.push(`Highest Gen TPS: ${bg.name} with ${bg.level.output_tokens_per_s.toFixed(2)} tokens/s.`);
  const speedup = speedupObservation(layout, section);
  if (speedup) out.push(speedup);
  const errs = section.cells.filter((c) => c.level.requests.errored > 0);
  if (errs.length > 0) out.push(`Notable errors on: ${errs.map((c) => `${c.name} (${c.level.requests.errored} errs)`).join(", ")}.`);
  return out;
}

/**
 * What each cell ran beyond its name (seed 003's preset table: GPU count and type): one row per
 * distinct combination of the named dimensions that the include keys depend on. Null without any.
 */
export function attributeTable(layout: MatrixLayout, runs: readonly DiscoveredRun[]): Table | null {
  if (layout.attributes.length === 0) return null;
  // The named dimensions an include key can differ across, keeping only those that matter.
  const by = layout.dimensions.filter((d) => {
    const without = layout.dimensions.filter((o) => o !== d);
    return layout.attributes.some((attr) => {
      const seen = new Map<string, string | undefined>();
      for (const r of runs) {
        const k = JSON.stringify(without.map((o) => r.dimensions[o] ?? ""));
        if (seen.has(k) && seen.get(k) !== r.dimensions[attr]) return true;
        seen.set(k, r.dimensions[attr]);
      }
      return false;
    });
  });
  const keys = by.length > 0 ? by : layout.dimensions.slice(0, 1);
  const rows: CellValue[][] = [];
  const seen = new Set<string>();
  for (const s of layout.sections) {
    for (const c of s.cells) {
      const row = [...keys, ...layout.attributes].map((d) => c.run.dimensions[d] ?? null);
      const id = JSON.stringify(row);
      if (seen.has(id)) continue;
      seen.add(id);
      rows.push(row);
    }
  }
  const order = (row: CellValue[]): number[] => keys.map((d, i) => (layout.values[d] ?? []).indexOf(String(row[i])));
  rows.sort((x, y) => {
    const ox = order(x);
    const oy = order(y);
    for (let i = 0; i < ox.length; i++) if (ox[i] !== oy[i]) return (ox[i] as number) - (oy[i] as number);
    return 0;
  });
  return {
    id: "cell-settings",
    title: `What each cell ran (${layout.attributes.join(", ")} per ${keys.join(" × ")})`,
    columns: [...keys, ...layout.attributes].map((d) => ({ key: slug(d), title: d })),
    rows,
  };
}
