// Owns reading a plan file into its full list of cells: syntax, schema, variables, matrix and
// every cell's expanded configuration, all checked before any process starts. Every problem is
// collected (with path and line) into one PlanError.

import { readFileSync } from "node:fs";
import { basename, dirname, extname, resolve } from "node:path";
import { z } from "zod";
import { parseWithSchema } from "../config/read-schema.js";
import { BenchError } from "../errors.js";
import { planCell, builtinVars, type PlannedCell } from "./cell-config.js";
import { dedupeIssues, issuesFromZod, PlanError, type PlanIssue } from "./issues.js";
import { expandMatrix } from "./matrix.js";
import { PLAN_VOCABULARY, planFileSchema, type PlanFile } from "./plan-schema.js";
import { parsePlanText } from "./source-map.js";
import { BUILTIN_VARS, expandValue, forEachReference, unknownVariable } from "./variables.js";

export interface LoadedPlan {
  /** The file as the user named it (for messages). */
  file: string;
  /** Relative paths in the plan resolve against this directory. */
  planDir: string;
  source: string;
  format: "yaml" | "json";
  name: string;
  plan: PlanFile;
  /** Dimension names in column order: server, the listed ones, workload, load, include-only keys. */
  dimensionNames: string[];
  cells: PlannedCell[];
  /** `out` from the plan, expanded; undefined when not set. */
  out: string | undefined;
}

export interface LoadOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Refuse a matrix of more cells than this (default DEFAULT_MAX_CELLS), before expanding it. */
  maxCells?: number;
  /** False for `k8s render|run --plan`: the pods, not this machine, hold the API key variable. */
  runsHere?: boolean;
  /** False only where a plan is checked without its files (unit tests of expansion). */
  checkFiles?: boolean;
}

export function loadPlanFile(path: string, options: LoadOptions = {}): LoadedPlan {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new BenchError("E_IO", `${path}: cannot read plan (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { where: path, cause });
  }
  return loadPlanText(text, { file: path, planDir: dirname(resolve(path)), ...options });
}

export function loadPlanText(text: string, options: LoadOptions & { file: string; planDir: string }): LoadedPlan {
  const { file, planDir } = options;
  const env = options.env ?? process.env;
  const parsed = parsePlanText(text);
  const fail = (issues: PlanIssue[]): never => {
    const located = dedupeIssues(issues).map((i) => ({ ...(parsed.locate(i.path) ?? {}), ...i }));
    throw new PlanError(
      file,
      located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)),
    );
  };
  if (parsed.issues.length > 0) throw new PlanError(file, parsed.issues);
  const checked = planFileSchema.safeParse(parsed.value ?? {});
  if (!checked.success) {
    // Still report unknown variables alongside the schema problems: one pass shows everything.
    const raw = (parsed.value ?? {}) as PlanFile;
    const issues = issuesFromZod(checked.error.issues, [], PLAN_VOCABULARY);
    checkReferences(raw, new Set([...rawDimensionNames(raw), ...BUILTIN_VARS]), issues);
    checkRawMatrix(raw, issues, options.maxCells);
    fail(issues);
  }
  const plan = checked.data as PlanFile;

  const issues: PlanIssue[] = [];
  const matrix = expandMatrix(plan, issues, options.maxCells);
  const allNames = new Set([...matrix.names, ...BUILTIN_VARS]);
  checkReferences(plan, allNames, issues);
  let out: string | undefined;
  if (plan.out !== undefined) out = String(expandValue(plan.out, { vars: builtinVars(planDir), env, final: true }, ["out"], issues));
  const ctx = { plan, planDir, env, allNames, runsHere: options.runsHere !== false, checkFiles: options.checkFiles !== false };
  const cells = issues.length > 0 ? [] : matrix.cells.map((cell, index) => planCell(cell, index, ctx, issues));
  if (cells.length === 0 && issues.length === 0) issues.push({ path: ["matrix"], message: "the matrix has no cells (everything excluded?)" });
  if (issues.length > 0) fail(issues);
  const ext = extname(file).toLowerCase();
  return {
    file,
    planDir,
    source: text,
    format: ext === ".json" ? "json" : "yaml",
    name: plan.name ?? basename(file, ext),
    plan,
    dimensionNames: matrix.names,
    cells,
    out,
  };
}

/** The matrix checks (unknown names in dimensions, include, exclude) when other sections are invalid. */
function checkRawMatrix(raw: PlanFile, issues: PlanIssue[], maxCells: number | undefined): void {
  const matrix = planFileSchema.shape.matrix.safeParse((raw as { matrix?: unknown }).matrix);
  if (!matrix.success) return;
  const names = (section: unknown, fallback: object): object => (section !== null && typeof section === "object" ? section : fallback);
  const stub = {
    servers: names(raw.servers, {}),
    workloads: names(raw.workloads, { default: {} }),
    loads: names(raw.loads, { default: {} }),
    matrix: matrix.data,
  };
  expandMatrix(stub as PlanFile, issues, maxCells);
}

function rawDimensionNames(raw: PlanFile): string[] {
  const matrix = (raw as { matrix?: { dimensions?: unknown; include?: unknown } }).matrix;
  const names = ["server", "workload", "load"];
  if (matrix?.dimensions !== null && typeof matrix?.dimensions === "object") names.push(...Object.keys(matrix.dimensions));
  if (Array.isArray(matrix?.include)) for (const e of matrix.include) if (e !== null && typeof e === "object") names.push(...Object.keys(e as object));
  return names;
}

/** Every `${name}` must be a dimension, a built-in, `port` (servers only) or `env:NAME`. */
function checkReferences(plan: Partial<PlanFile>, allNames: ReadonlySet<string>, issues: PlanIssue[]): void {
  const check = (section: unknown, path: Array<string | number>, extra: readonly string[]): void =>
    forEachReference(section, path, (name, at) => {
      if (name.startsWith("env:") || allNames.has(name) || extra.includes(name)) return;
      issues.push({ path: at, message: unknownVariable(name) });
    });
  check(plan.servers, ["servers"], ["port"]);
  check(plan.workloads, ["workloads"], []);
  check(plan.loads, ["loads"], []);
  check(plan.slo, ["slo"], []);
  check(plan.cellTimeoutMs, ["cellTimeoutMs"], []);
}

/** The plan of an earlier run in `outDir` (its saved source, paths still relative to the original plan's directory). */
/** The part of OUT/plan.json a resume reads back. */
const savedPlanSchema = z.looseObject({
  name: z.string().min(1).optional(),
  plan_dir: z.string().min(1).optional(),
  source_file: z.enum(["plan.source.yaml", "plan.source.yml", "plan.source.json"]).optional(),
});

export function loadPlanFromOut(outDir: string, options: LoadOptions = {}): LoadedPlan {
  const planJsonPath = resolve(outDir, "plan.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(planJsonPath, "utf8"));
  } catch (cause) {
    throw new BenchError("E_BAD_CONFIG", `--resume ${outDir}: cannot read plan.json (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, {
      where: "--resume",
      cause,
    });
  }
  const saved = parseWithSchema(savedPlanSchema, raw, planJsonPath);
  // Only the copy servebench wrote beside it: plan.json cannot point a resume at another file.
  const sourcePath = resolve(outDir, saved.source_file ?? "plan.source.yaml");
  let text: string;
  try {
    text = readFileSync(sourcePath, "utf8");
  } catch (cause) {
    throw new BenchError("E_BAD_CONFIG", `--resume ${outDir}: cannot read ${sourcePath}; pass the plan file too`, { where: "--resume", cause });
  }
  const planDir = saved.plan_dir ?? dirname(sourcePath);
  const plan = loadPlanText(text, { file: sourcePath, planDir, ...options });
  if (saved.name !== undefined) plan.name = saved.name;
  return plan;
}
