// Owns laying a plan's cells out the way seed 003 reads: from the dimensions the plan varies it
// picks a two-valued dimension to put side by side (tp vs pp), the dimension whose values are
// the rows (presets), and sections for the rest (model × ctx). Pure: runs in, layout out.

import type { LevelSummary } from "../metrics/level.js";
import { loadText, loadValue } from "./analysis.js";
import { primaryDimensions, varyingDimensions, type DiscoveredRun } from "./discover.js";
import { slug } from "./escape.js";

export interface MatrixCell {
  run: DiscoveredRun;
  level: LevelSummary;
  /** The row's name within its section: the row dimensions' values (the run label without them). */
  row: string;
  /** This cell's value of the side-by-side dimension, null without one. */
  side: string | null;
  /** What varies within the section only: row, side and load ("H100X2 · tp", "H100X2 · tp @ c=4"). */
  name: string;
}

export interface MatrixSection {
  /** HTML anchor and chart-name stem. */
  id: string;
  /** "model = Llama-3.2-3B-Instruct · ctx = 2048", or "Results" with no section dimensions. */
  title: string;
  /** Section dimension values, in sectionDims order. */
  key: string[];
  cells: MatrixCell[];
  /** Row names in plan order. */
  rows: string[];
}

export interface MatrixLayout {
  /** Varying dimensions the plan lists (plus server, workload, load), in plan order. */
  dimensions: string[];
  /** Varying keys a plan's include added (gpus, tp, pp per preset): shown, never used to name cells. */
  attributes: string[];
  /** Each dimension's values in plan order. */
  values: Record<string, string[]>;
  sectionDims: string[];
  rowDims: string[];
  /** The two-valued dimension shown side by side with its speedup, and its values (baseline first). */
  side: { dimension: string; a: string; b: string } | null;
  multiLoad: boolean;
  sections: MatrixSection[];
}

function planOrder(runs: readonly DiscoveredRun[]): DiscoveredRun[] {
  return runs
    .map((r, i) => ({ r, i }))
    .sort((x, y) => (x.r.cellIndex ?? x.i) - (y.r.cellIndex ?? y.i) || x.i - y.i)
    .map((x) => x.r);
}

function valuesOf(runs: readonly DiscoveredRun[], dim: string): string[] {
  const out: string[] = [];
  for (const r of runs) {
    const v = r.dimensions[dim];
    if (v !== undefined && !out.includes(v)) out.push(v);
  }
  return out;
}

const keyOf = (r: DiscoveredRun, dims: readonly string[]): string => JSON.stringify(dims.map((d) => r.dimensions[d] ?? ""));

/** A side-by-side dimension is worth it when at least one row has both values. */
function pairsSomewhere(runs: readonly DiscoveredRun[], dim: string, others: readonly string[]): boolean {
  const seen = new Map<string, Set<string>>();
  for (const r of runs) {
    const k = keyOf(r, others);
    const set = seen.get(k) ?? new Set<string>();
    set.add(r.dimensions[dim] ?? "");
    seen.set(k, set);
  }
  return [...seen.values()].some((s) => s.size === 2);
}

function pickSide(runs: readonly DiscoveredRun[], dims: readonly string[], values: Record<string, string[]>, baseline: string | undefined): MatrixLayout["side"] {
  if (dims.length < 2) return null;
  const baseDim = baseline?.includes("=") ? baseline.slice(0, baseline.indexOf("=")) : undefined;
  // The last two-valued dimension reads as the comparison (preset × model × ctx × parallel).
  const candidates = dims.filter((d) => (values[d] ?? []).length === 2).reverse();
  const dim = candidates.find((d) => pairsSomewhere(runs, d, dims.filter((o) => o !== d)));
  if (dim === undefined) return null;
  const sorted = [...(values[dim] ?? [])].sort();
  const base = dim === baseDim && baseline !== undefined ? baseline.slice(baseline.indexOf("=") + 1) : sorted[0];
  const [a, b] = sorted.includes(base as string) ? [base as string, sorted.find((v) => v !== base) as string] : (sorted as [string, string]);
  return { dimension: dim, a, b };
}

function sectionTitle(dims: readonly string[], key: readonly string[]): string {
  return dims.length === 0 ? "Results" : dims.map((d, i) => `${d} = ${key[i] ?? ""}`).join(" · ");
}

/**
 * Lays out plan cells: rows by the dimension with the most values, side by side by a two-valued
 * one, a section per combination of the rest. Runs without dimensions are rows named by label.
 * @example buildMatrixLayout(runs).sections.map((s) => s.title) // ["model = A · ctx = 2048", …]
 */
export function buildMatrixLayout(runs: readonly DiscoveredRun[], baseline?: string): MatrixLayout {
  const ordered = planOrder(runs);
  // A key only some runs have, with one value, tells "in the plan" from "not": no axis to lay out.
  const dims = primaryDimensions(ordered).filter((d) => valuesOf(ordered, d).length > 1);
  const attributes = varyingDimensions(ordered).filter((d) => !primaryDimensions(ordered).includes(d));
  const values: Record<string, string[]> = {};
  for (const d of [...dims, ...attributes]) values[d] = valuesOf(ordered, d);
  const side = pickSide(ordered, dims, values, baseline);
  const rest = dims.filter((d) => d !== side?.dimension);
  // Rows: the dimension with the most values (first on ties); the others become sections.
  const rowDim = rest.reduce<string | undefined>((best, d) => (best === undefined || (values[d]?.length ?? 0) > (values[best]?.length ?? 0) ? d : best), undefined);
  const rowDims = rowDim === undefined ? [] : [rowDim];
  const sectionDims = rest.filter((d) => d !== rowDim);
  const loads = new Set(ordered.flatMap((r) => r.summary.levels.map((l) => JSON.stringify(l.load))));
  const multiLoad = loads.size > 1;
  const sections = new Map<string, MatrixSection>();
  for (const run of ordered) {
    const key = sectionDims.map((d) => run.dimensions[d] ?? "");
    const id = JSON.stringify(key);
    let section = sections.get(id);
    if (!section) {
      section = { id: `section-${slug(key.join("-") || "all")}`, title: sectionTitle(sectionDims, key), key, cells: [], rows: [] };
      sections.set(id, section);
    }
    const row = rowDims.length > 0 ? rowDims.map((d) => run.dimensions[d] ?? "–").join(" · ") : run.label;
    if (!section.rows.includes(row)) section.rows.push(row);
    const sideValue = side ? (run.dimensions[side.dimension] ?? null) : null;
    for (const level of [...run.summary.levels].sort((x, y) => loadValue(x) - loadValue(y))) {
      const name = `${[row, ...(sideValue === null ? [] : [sideValue])].join(" · ")}${multiLoad ? ` @ ${loadText(level)}` : ""}`;
      section.cells.push({ run, level, row, side: sideValue, name });
    }
  }
  const sorted = [...sections.values()];
  const rank = (s: MatrixSection): number[] => s.key.map((v, i) => (values[sectionDims[i] as string] ?? []).indexOf(v));
  sorted.sort((x, y) => {
    const rx = rank(x);
    const ry = rank(y);
    for (let i = 0; i < rx.length; i++) if (rx[i] !== ry[i]) return (rx[i] as number) - (ry[i] as number);
    return 0;
  });
  const sideRank = (c: MatrixCell): number => (side === null || c.side === null ? 0 : c.side === side.a ? 0 : 1);
  for (const s of sorted) s.cells.sort((x, y) => s.rows.indexOf(x.row) - s.rows.indexOf(y.row) || sideRank(x) - sideRank(y) || loadValue(x.level) - loadValue(y.level));
  return { dimensions: dims, attributes, values, sectionDims, rowDims, side, multiLoad, sections: sorted };
}

/** "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B" → "DeepSeek-R1-Distill-Qwen-1.5B": chart labels drop the organisation. */
export function shortValue(value: string): string {
  const slash = value.lastIndexOf("/");
  return slash > 0 && slash < value.length - 1 && !value.includes(" ") ? value.slice(slash + 1) : value;
}
