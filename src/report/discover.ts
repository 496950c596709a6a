// Owns finding runs for report/compare: scans the given run or plan directories recursively
// for summary.json, reads env.json and cell.json beside each, and gives every run a label
// (the cell's varying matrix dimensions, else the directory name). Reads only; never writes.

import { parseSummary } from "../results/summary-schema.js";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { basename, dirname, join, relative, resolve } from "node:path";
import { BenchError } from "../errors.js";
import type { RunSummary } from "../results/run-summary.js";

export interface DiscoveredRun {
  /** Absolute path of the run directory. */
  dir: string;
  /** The directory relative to the parent of the path it was found under (stable across machines). */
  relDir: string;
  /** Shown to people: varying cell dimensions, else the directory name; "(imported)" appended for imports. */
  label: string;
  /** Matrix dimensions from cell.json (strings), empty when the run is not a plan cell. */
  dimensions: Record<string, string>;
  cellId: string | null;
  /** The cell's position in its plan (cell.json index), for plan order; null outside a plan. */
  cellIndex: number | null;
  /**
   * The dimensions its plan lists under matrix.dimensions (plus server, workload, load), read
   * from the plan's saved source; null when unknown. Other cell.json keys came from `include`.
   */
  planDimensions: string[] | null;
  /** The plan's name (plan.json), null outside a plan. */
  planName: string | null;
  imported: boolean;
  summary: RunSummary;
  /** env.json as written (unknown shape: absent fields are simply not shown). */
  env: Record<string, unknown> | null;
  requestsPath: string | null;
  metricsPath: string | null;
}

const SKIP_DIRS = new Set(["node_modules", ".git"]);
const MAX_DEPTH = 8;

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (cause) {
    throw new BenchError("E_IO", `${path}: not readable JSON: ${(cause as Error).message}`, { where: path, cause });
  }
}

function findSummaries(dir: string, depth: number, out: string[]): void {
  if (existsSync(join(dir, "summary.json"))) out.push(dir);
  if (depth >= MAX_DEPTH) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.isDirectory() && !SKIP_DIRS.has(e.name)) findSummaries(join(dir, e.name), depth + 1, out);
  }
}

/** Run directories under each path (a run dir, a plan dir, any folder of them, or a summary.json). */
export function findRunDirs(paths: readonly string[]): Array<{ dir: string; relDir: string }> {
  const dirs: Array<{ dir: string; relDir: string }> = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new BenchError("E_IO", `${p}: no such file or directory`, { where: p });
    const start = statSync(abs).isFile() && basename(abs) === "summary.json" ? dirname(abs) : abs;
    const found: string[] = [];
    findSummaries(start, 0, found);
    if (found.length === 0) throw new BenchError("E_IO", `${p}: no run found (no summary.json in it or below it)`, { where: p });
    const base = dirname(start);
    for (const d of found) if (!dirs.some((x) => x.dir === d)) dirs.push({ dir: d, relDir: relative(base, d) || basename(d) });
  }
  return dirs;
}

function asSummary(value: unknown, path: string): RunSummary {
  return parseSummary(value, path);
}

function readCell(dir: string): { id: string | null; index: number | null; dimensions: Record<string, string>; imported: boolean } {
  const path = join(dir, "cell.json");
  if (!existsSync(path)) return { id: null, index: null, dimensions: {}, imported: false };
  const cell = readJson(path) as { id?: unknown; index?: unknown; dimensions?: unknown; imported?: unknown } | null;
  const dimensions: Record<string, string> = {};
  if (cell && typeof cell.dimensions === "object" && cell.dimensions !== null) {
    for (const [k, v] of Object.entries(cell.dimensions as Record<string, unknown>)) {
      if (v !== null && v !== undefined) dimensions[k] = typeof v === "object" ? JSON.stringify(v) : String(v as string | number);
    }
  }
  const index = typeof cell?.index === "number" ? cell.index : null;
  return { id: typeof cell?.id === "string" ? cell.id : null, index, dimensions, imported: cell?.imported === true };
}

interface PlanInfo {
  dimensions: string[] | null;
  name: string | null;
}

const planCache = new Map<string, PlanInfo>();

function listedKeys(value: unknown): string[] | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? Object.keys(value) : null;
}

/**
 * matrix.dimensions of the plan whose OUT/cells/<id>/ holds `dir`: from plan.source.* (what the
 * user wrote), else a plan.json `matrix` object. Unreadable or absent: null (every key counts).
 */
function readPlan(dir: string): PlanInfo {
  const root = dirname(dirname(dir));
  if (basename(dirname(dir)) !== "cells" || !existsSync(join(root, "plan.json"))) return { dimensions: null, name: null };
  const cached = planCache.get(root);
  if (cached !== undefined) return cached;
  let names: string[] | null = null;
  let name: string | null = null;
  try {
    const plan = JSON.parse(readFileSync(join(root, "plan.json"), "utf8")) as { name?: unknown; source_file?: unknown; matrix?: unknown };
    name = typeof plan.name === "string" ? plan.name : null;
    const source = typeof plan.source_file === "string" ? join(root, basename(plan.source_file)) : "";
    if (source !== "" && existsSync(source)) {
      const parsed = parseYaml(readFileSync(source, "utf8")) as { matrix?: { dimensions?: unknown } } | null;
      names = listedKeys(parsed?.matrix?.dimensions);
    } else names = listedKeys(plan.matrix);
  } catch {
    names = null;
  }
  const info = { dimensions: names === null ? null : ["server", ...names, "workload", "load"], name };
  planCache.set(root, info);
  return info;
}

export function loadRun(dir: string, relDir = basename(dir)): DiscoveredRun {
  const summary = asSummary(readJson(join(dir, "summary.json")), join(dir, "summary.json"));
  const cell = readCell(dir);
  const plan = cell.id === null ? { dimensions: null, name: null } : readPlan(dir);
  const envPath = join(dir, "env.json");
  const env = existsSync(envPath) ? (readJson(envPath) as Record<string, unknown>) : null;
  const requestsPath = join(dir, "requests.jsonl");
  const metricsPath = join(dir, "metrics.jsonl");
  return {
    dir,
    relDir,
    label: basename(dir),
    dimensions: cell.dimensions,
    cellId: cell.id,
    cellIndex: cell.index,
    planDimensions: plan.dimensions,
    planName: plan.name,
    imported: cell.imported || summary.run.imported !== undefined,
    summary,
    env: env && typeof env === "object" ? env : null,
    requestsPath: existsSync(requestsPath) ? requestsPath : null,
    metricsPath: existsSync(metricsPath) ? metricsPath : null,
  };
}

/** Dimension names whose values differ between runs, in first-seen order. */
export function varyingDimensions(runs: readonly DiscoveredRun[]): string[] {
  const names: string[] = [];
  for (const r of runs) for (const k of Object.keys(r.dimensions)) if (!names.includes(k)) names.push(k);
  return names.filter((k) => new Set(runs.map((r) => r.dimensions[k] ?? "")).size > 1);
}

/**
 * The varying dimensions the plans themselves list, in first-seen order: keys a plan's `include`
 * added (gpus, tp and pp per preset) describe a cell but do not name it.
 */
export function primaryDimensions(runs: readonly DiscoveredRun[]): string[] {
  return varyingDimensions(runs).filter((k) => runs.every((r) => r.planDimensions === null || r.dimensions[k] === undefined || r.planDimensions.includes(k)));
}

/** Gives each run its label; duplicates get their parent directory prepended. */
export function assignLabels(runs: DiscoveredRun[]): void {
  const varying = primaryDimensions(runs);
  for (const r of runs) {
    const dims = Object.keys(r.dimensions);
    const shown = varying.length > 0 ? varying.filter((k) => r.dimensions[k] !== undefined) : dims;
    r.label = shown.length > 0 ? shown.map((k) => r.dimensions[k]).join(" · ") : basename(r.dir);
  }
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  const common = commonParent(runs.map((r) => r.dir));
  for (const r of runs) {
    if ((counts.get(r.label) ?? 0) > 1) r.label = relative(common, r.dir) || basename(r.dir);
    if (r.imported) r.label = `${r.label} (imported)`;
  }
}

function commonParent(dirs: readonly string[]): string {
  if (dirs.length === 0) return "/";
  let prefix = dirname(dirs[0] as string);
  while (!dirs.every((d) => d.startsWith(`${prefix}/`)) && prefix !== dirname(prefix)) prefix = dirname(prefix);
  return prefix;
}

/** Every run under `paths`, labelled, in path order. */
export function discoverRuns(paths: readonly string[]): DiscoveredRun[] {
  const runs = findRunDirs(paths).map((d) => loadRun(d.dir, d.relDir));
  assignLabels(runs);
  return runs;
}
