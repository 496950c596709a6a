// Owns turning `matrix` into the ordered list of cells: the cartesian product of the dimensions
// (first listed = outermost loop), `exclude`, then GitHub-Actions-style `include`, then `repeat`;
// and each cell's stable, file-system-safe id. `server`, `workload` and `load` are dimensions too.

import { createHash } from "node:crypto";
import type { PlanIssue } from "./issues.js";
import type { PlanFile, Scalar } from "./plan-schema.js";

export const SECTION_DIMS = [
  { dim: "server", section: "servers" },
  { dim: "workload", section: "workloads" },
  { dim: "load", section: "loads" },
] as const;

export interface MatrixCell {
  id: string;
  dimensions: Record<string, Scalar>;
  /** 1-based repeat index. */
  repeat: number;
}

export interface MatrixResult {
  cells: MatrixCell[];
  /** Every dimension name in column order (include-only keys last). */
  names: string[];
}

const same = (a: Scalar | undefined, b: Scalar): boolean => a !== undefined && String(a) === String(b);

/** Cells a plan may expand to unless raised (--max-cells): checked before anything is expanded. */
export const DEFAULT_MAX_CELLS = 10_000;

export function expandMatrix(plan: PlanFile, issues: PlanIssue[], maxCells = DEFAULT_MAX_CELLS): MatrixResult {
  const listed = plan.matrix.dimensions;
  const dims: Array<[string, Scalar[]]> = [];
  const sectionNames = (section: "servers" | "workloads" | "loads"): string[] => Object.keys(plan[section]);
  // An unlisted server dimension goes first (outermost: fewest restarts), workload and load last.
  if (listed["server"] === undefined) dims.push(["server", sectionNames("servers")]);
  for (const [name, values] of Object.entries(listed)) dims.push([name, values]);
  for (const key of ["workload", "load"] as const) if (listed[key] === undefined) dims.push([key, sectionNames(`${key}s`)]);
  for (const { dim, section } of SECTION_DIMS) {
    const values = listed[dim];
    values?.forEach((v, i) => {
      if (!(String(v) in plan[section]))
        issues.push({ path: ["matrix", "dimensions", dim, i], message: `no ${dim} named "${String(v)}" in ${section} (${sectionNames(section).join(", ")})` });
    });
  }
  const upperBound = (dims.reduce((n, [, values]) => n * values.length, 1) + plan.matrix.include.length) * plan.matrix.repeat;
  if (upperBound > maxCells) {
    const shape = dims.map(([n, v]) => `${n} ${v.length}`).join(" × ");
    issues.push({
      path: ["matrix"],
      message: `expands to up to ${upperBound.toLocaleString("en-US")} cells (${shape}${plan.matrix.repeat > 1 ? ` × repeat ${plan.matrix.repeat}` : ""}), more than the limit of ${maxCells.toLocaleString("en-US")}: split the plan, or raise the limit with --max-cells`,
    });
    return { cells: [], names: dims.map(([n]) => n) };
  }
  const original = new Set(dims.map(([n]) => n));
  let combos: Array<Record<string, Scalar>> = [{}];
  for (const [name, values] of dims) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));

  plan.matrix.exclude.forEach((rule, i) => {
    for (const key of Object.keys(rule))
      if (!original.has(key)) issues.push({ path: ["matrix", "exclude", i, key], message: `"${key}" is not a dimension (${[...original].join(", ")})` });
    combos = combos.filter((c) => !Object.entries(rule).every(([k, v]) => same(c[k], v)));
  });
  const names = dims.map(([n]) => n);
  plan.matrix.include.forEach((rule, i) => {
    const keys = Object.entries(rule).filter(([k]) => original.has(k));
    const extra = Object.entries(rule).filter(([k]) => !original.has(k));
    for (const [k] of extra) if (!names.includes(k)) names.push(k);
    let matched = false;
    for (const c of combos) {
      if (keys.every(([k, v]) => same(c[k], v))) {
        matched = true;
        Object.assign(c, Object.fromEntries(extra));
      }
    }
    if (!matched) combos.push(completeInclude(plan, rule, i, issues));
  });

  // Ids name the original dimensions that vary; include-only keys only when needed to tell cells apart.
  const varies = (n: string): boolean => new Set(combos.map((c) => String(c[n]))).size > 1;
  const listedNames = Object.keys(listed);
  let idNames = names.filter((n) => original.has(n) && varies(n));
  if (idNames.length === 0) idNames = listedNames.length > 0 ? listedNames : ["server"];
  const withExtras = names.filter((n) => idNames.includes(n) || (!original.has(n) && varies(n)));
  const cells: MatrixCell[] = [];
  for (const dimensions of combos) {
    for (let repeat = 1; repeat <= plan.matrix.repeat; repeat++) {
      cells.push({ id: cellId(dimensions, idNames, repeat, plan.matrix.repeat), dimensions, repeat });
    }
  }
  for (const c of duplicates(cells)) c.id = cellId(c.dimensions, withExtras, c.repeat, plan.matrix.repeat);
  for (const c of duplicates(cells)) c.id = `${c.id}-${hash([c.dimensions, c.repeat])}`;
  return { cells, names };
}

/** A new cell from `include`: server, workload and load default to the section's only entry. */
function completeInclude(plan: PlanFile, rule: Record<string, Scalar>, i: number, issues: PlanIssue[]): Record<string, Scalar> {
  const cell: Record<string, Scalar> = { ...rule };
  for (const { dim, section } of SECTION_DIMS) {
    if (cell[dim] !== undefined) {
      if (!(String(cell[dim]) in plan[section]))
        issues.push({ path: ["matrix", "include", i, dim], message: `no ${dim} named "${String(cell[dim])}" in ${section}` });
      continue;
    }
    const names = Object.keys(plan[section]);
    if (names.length === 1 && names[0] !== undefined) cell[dim] = names[0];
    else issues.push({ path: ["matrix", "include", i], message: `this entry adds a new cell, so it must name a ${dim} (${names.join(", ")})` });
  }
  return cell;
}

function slug(value: Scalar): string {
  return (
    String(value)
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^[-.]+|-+$/g, "") || "x"
  );
}

function cellId(dims: Record<string, Scalar>, names: readonly string[], repeat: number, repeats: number): string {
  const parts = names.flatMap((n) => (dims[n] === undefined ? [] : [slug(dims[n])]));
  let id = parts.join("_");
  if (id.length > 100) id = `${id.slice(0, 90)}-${hash(dims)}`;
  return repeats > 1 ? `${id}_r${repeat}` : id;
}

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 8);
}

/** Cells whose id another cell also has. */
function duplicates(cells: readonly MatrixCell[]): MatrixCell[] {
  const count = new Map<string, number>();
  for (const c of cells) count.set(c.id, (count.get(c.id) ?? 0) + 1);
  return cells.filter((c) => (count.get(c.id) ?? 0) > 1);
}
