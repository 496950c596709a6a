// Owns one cell's concrete configuration: its server launch spec and its `run` input, expanded
// from the cell's variables and checked (the run input by runConfigSchema itself). Relative paths
// resolve against the plan file's directory. Pure: no processes, no network.

import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runConfigSchema, type RunConfigInput } from "../config/run-config.js";
import { parseDurationMs, parseRequestCount, parseSlo } from "../config/units.js";
import { isBenchError } from "../errors.js";
import { checkTokenizerSource } from "../workload/tokenizer.js";
import { issuesFromZod, type PlanIssue, type PlanPath, formatPath } from "./issues.js";
import type { MatrixCell } from "./matrix.js";
import { bare, DURATION_FIELDS, PLAN_VOCABULARY, serverSpecSchema, type PlanFile, type Scalar, type ServerSpec } from "./plan-schema.js";
import { expandValue, type Scope } from "./variables.js";

export interface PlannedCell extends MatrixCell {
  index: number;
  serverName: string;
  workloadName: string;
  loadName: string;
  /** Launch spec; strings may still hold `${port}`, filled in at launch. */
  server: ServerSpec;
  /** Identity of the launch spec: consecutive cells with the same key share a running server. */
  serverKey: string;
  /** Everything `run` gets except url and out, already validated. */
  run: RunConfigInput;
  /** Prompt variant: system message applied when the cell's prompts are written. */
  system?: string;
  cellTimeoutMs?: number;
  /** Kubernetes: the manifest template with this cell's variables expanded. */
  manifestText?: string;
  /** The same cell with `${env:...}` left unexpanded, for plan.json. */
  display: { server: unknown; run: unknown };
}

export interface CellContext {
  plan: PlanFile;
  planDir: string;
  env: Readonly<Record<string, string | undefined>>;
  allNames: ReadonlySet<string>;
  /** False when the cells run elsewhere (Kubernetes Jobs): this machine's API key variable is not checked. */
  runsHere?: boolean;
  /** False: do not check that the files the plan names exist. */
  checkFiles?: boolean;
}

/** The built CLI of this servebench (dist/cli/main.js), whether running from src/ or dist/. */
export function servebenchCliPath(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  return resolve(root, "dist", "cli", "main.js");
}

export function builtinVars(planDir: string): Map<string, Scalar> {
  return new Map<string, Scalar>([
    ["node", process.execPath],
    ["servebench", servebenchCliPath()],
    ["plan_dir", planDir],
  ]);
}

export function planCell(cell: MatrixCell, index: number, ctx: CellContext, issues: PlanIssue[]): PlannedCell {
  const vars = builtinVars(ctx.planDir);
  for (const [k, v] of Object.entries(cell.dimensions)) vars.set(k, v);
  vars.set("cell", cell.id);
  vars.set("repeat", cell.repeat);
  const serverName = String(cell.dimensions["server"]);
  const workloadName = String(cell.dimensions["workload"]);
  const loadName = String(cell.dimensions["load"]);
  const found: PlanIssue[] = [];
  const scope = (extra: Partial<Scope>): Scope => ({ vars, env: ctx.env, allNames: ctx.allNames, final: true, ...extra });
  const expand = (value: unknown, path: PlanPath, extra: Partial<Scope> = {}): unknown => expandValue(value, scope(extra), path, found);

  const serverPath = ["servers", serverName];
  const serverScope = { deferred: new Set(["port"]), final: false };
  const rawServer = expand(ctx.plan.servers[serverName], serverPath, serverScope);
  const displayServer = expandValue(ctx.plan.servers[serverName], scope({ ...serverScope, keepEnvRefs: true }), serverPath, []);
  const workload = (expand(ctx.plan.workloads[workloadName] ?? {}, ["workloads", workloadName]) ?? {}) as Record<string, unknown>;
  const load = (expand(ctx.plan.loads[loadName] ?? {}, ["loads", loadName]) ?? {}) as Record<string, unknown>;
  const slo = ctx.plan.slo === undefined ? undefined : expand(ctx.plan.slo, ["slo"]);
  // A value whose variable failed to expand would fail the schema too: report only the variable.
  const expansionPaths = new Set(found.map((i) => formatPath(i.path)));
  const report = (issue: PlanIssue): void => {
    if (!expansionPaths.has(formatPath(issue.path))) found.push(issue);
  };
  const server = parseServer(rawServer, serverPath, ctx.planDir, ctx.checkFiles === false ? () => {} : report, report);
  const manifestText = server.kind === "kubernetes" ? renderManifest(server.manifest, [...serverPath, "manifest"], scope({}), report) : undefined;
  const sectionOf = (key: string): PlanPath =>
    key in load ? ["loads", loadName, key] : key === "slo" && !("slo" in workload) ? ["slo"] : ["workloads", workloadName, key];

  const { system, ...requestFields } = workload;
  // A server's price and GPU count apply to its cells unless the workload sets its own.
  const { gpuHourlyCostUsd, gpuCount } = server as { gpuHourlyCostUsd?: number; gpuCount?: number };
  const cost = { ...(gpuHourlyCostUsd === undefined ? {} : { gpuHourlyCostUsd }), ...(gpuCount === undefined ? {} : { gpuCount }) };
  const raw: Record<string, unknown> = { ...cost, ...(slo === undefined ? {} : { slo }), ...requestFields, ...load };
  const run = normalizeRun(raw, ctx.planDir, sectionOf, report, ctx.checkFiles === false ? "none" : ctx.runsHere === false ? "packed" : "all");
  const checked = runConfigSchema.safeParse(run);
  if (!checked.success) {
    for (const issue of issuesFromZod(checked.error.issues)) {
      const [key, ...rest] = issue.path;
      report({ path: key === undefined ? ["workloads", workloadName] : [...sectionOf(String(key)), ...rest], message: issue.message });
    }
  }
  if (ctx.runsHere !== false && typeof run.apiKeyEnv === "string" && (ctx.env[run.apiKeyEnv] ?? "") === "") {
    report({ path: sectionOf("apiKeyEnv"), message: `the environment variable ${run.apiKeyEnv} is not set (apiKeyEnv names where the API key is)` });
  }
  if (typeof system === "string" && run.prompt === undefined && run.dataset === undefined) {
    report({ path: ["workloads", workloadName, "system"], message: "a system prompt needs `prompt` or `dataset` (synthetic prompts have exact token counts)" });
  }
  let cellTimeoutMs: number | undefined;
  if (ctx.plan.cellTimeoutMs !== undefined) cellTimeoutMs = toMs(expand(ctx.plan.cellTimeoutMs, ["cellTimeoutMs"]), ["cellTimeoutMs"], found);

  for (const issue of found) issues.push({ ...issue, cell: cell.id });
  const planned: PlannedCell = {
    ...cell,
    index,
    serverName,
    workloadName,
    loadName,
    server,
    serverKey: JSON.stringify([server, manifestText]),
    run,
    display: { server: displayServer, run: { ...run, ...redactedRun(ctx, vars, workloadName, loadName) } },
  };
  if (typeof system === "string") planned.system = system;
  if (manifestText !== undefined) planned.manifestText = manifestText;
  if (cellTimeoutMs !== undefined) planned.cellTimeoutMs = cellTimeoutMs;
  return planned;
}

/** Workload and load values with `${env:...}` kept as written (plan.json must not hold secrets). */
function redactedRun(ctx: CellContext, vars: Map<string, Scalar>, workloadName: string, loadName: string): Record<string, unknown> {
  const scope: Scope = { vars, env: ctx.env, keepEnvRefs: true, final: true };
  const out: Record<string, unknown> = {};
  for (const section of [ctx.plan.workloads[workloadName] ?? {}, ctx.plan.loads[loadName] ?? {}]) {
    for (const [k, v] of Object.entries(section)) if (JSON.stringify(v).includes("${env:")) out[k] = expandValue(v, scope, [], []);
  }
  return out;
}

function parseServer(
  value: unknown,
  path: PlanPath,
  planDir: string,
  reportMissing: (issue: PlanIssue) => void,
  report: (issue: PlanIssue) => void,
): ServerSpec {
  const parsed = serverSpecSchema.safeParse(value);
  if (!parsed.success) {
    issuesFromZod(parsed.error.issues, path, PLAN_VOCABULARY).forEach(report);
    return value as ServerSpec;
  }
  const spec = parsed.data;
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(planDir, p));
  if (spec.kind === "local") {
    spec.cwd = at(spec.cwd ?? ".");
    if (!existsSync(spec.cwd)) reportMissing({ path: [...path, "cwd"], message: `no such directory: ${spec.cwd}` });
  }
  if (spec.kind === "kubernetes") {
    if (spec.manifest !== undefined) spec.manifest = at(spec.manifest);
    if (spec.helm?.valuesFiles !== undefined) spec.helm.valuesFiles = spec.helm.valuesFiles.map(at);
    spec.helm?.valuesFiles?.forEach((f, i) => {
      if (!existsSync(f)) reportMissing({ path: [...path, "helm", "valuesFiles", i], message: `no such file: ${f}` });
    });
  }
  return spec;
}

function renderManifest(path: string | undefined, at: PlanPath, scope: Scope, report: (issue: PlanIssue) => void): string | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    report({ path: at, message: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
    return undefined;
  }
  const issues: PlanIssue[] = [];
  const rendered = String(expandValue(text, scope, at, issues));
  for (const issue of issues) report({ ...issue, message: `${path}: ${issue.message}` });
  return rendered;
}

function toMs(value: unknown, path: PlanPath, issues: PlanIssue[]): number | undefined {
  if (typeof value === "number") return value;
  try {
    return parseDurationMs(String(value), formatPath(path));
  } catch (error) {
    issues.push({ path, message: isBenchError(error) ? error.message.replace(/^[^:]*: /, "") : String(error) });
    return undefined;
  }
}

/** Plan conveniences → RunConfigInput: duration strings, `requests: 30 | "3x"`, SLO strings, paths. */
function normalizeRun(
  raw: Record<string, unknown>,
  planDir: string,
  sectionOf: (key: string) => PlanPath,
  report: (issue: PlanIssue) => void,
  checkFiles: "all" | "packed" | "none",
): RunConfigInput {
  const out: Record<string, unknown> = { ...raw };
  const issues: PlanIssue[] = [];
  for (const key of DURATION_FIELDS) if (typeof out[key] === "string") out[key] = toMs(out[key], sectionOf(key), issues);
  // `model: ${size}` with a numeric dimension value: text fields take it as text.
  for (const [key, value] of Object.entries(out)) if (isTextField(key) && (typeof value === "number" || typeof value === "boolean")) out[key] = String(value);
  const attempt = (key: string, convert: (v: string) => unknown): void => {
    if (typeof out[key] !== "string") return;
    try {
      out[key] = convert(out[key]);
    } catch (error) {
      issues.push({ path: sectionOf(key), message: isBenchError(error) ? error.message.replace(/^[^:]*: /, "") : String(error) });
      delete out[key];
    }
  };
  if (typeof out["requests"] === "number") out["requests"] = { kind: "count", n: out["requests"] };
  attempt("requests", (v) => parseRequestCount(v, "requests"));
  attempt("slo", (v) => parseSlo(v, "slo"));
  // Files a plan names are relative to the plan, whichever field names them.
  for (const key of ["dataset", "trace"]) if (typeof out[key] === "string") out[key] = resolve(planDir, out[key]);
  for (const key of ["inputDist", "outputDist"]) {
    const dist = out[key];
    if (isHistogram(dist)) out[key] = { ...dist, file: resolve(planDir, dist.file) };
  }
  const tokenizer = out["tokenizer"];
  if (typeof tokenizer === "string" && !isAbsolute(tokenizer) && existsSync(resolve(planDir, tokenizer))) out["tokenizer"] = resolve(planDir, tokenizer);
  if (checkFiles !== "none") checkNamedFiles(out, sectionOf, issues, checkFiles === "all");
  issues.forEach(report);
  return out as RunConfigInput;
}

/** The files a cell reads must exist now, not when its turn comes hours into the plan. */
function checkNamedFiles(run: Record<string, unknown>, sectionOf: (key: string) => PlanPath, issues: PlanIssue[], tokenizerHere: boolean): void {
  for (const key of ["dataset", "trace"]) {
    const path = run[key];
    if (typeof path === "string" && !existsSync(path)) issues.push({ path: sectionOf(key), message: `no such file: ${path}` });
  }
  for (const key of ["inputDist", "outputDist"]) {
    const dist = run[key];
    if (isHistogram(dist) && !existsSync(dist.file)) issues.push({ path: [...sectionOf(key), "file"], message: `no such file: ${dist.file}` });
  }
  // Kubernetes Jobs find a tokenizer id in the image's cache, not this machine's.
  if (tokenizerHere && typeof run["tokenizer"] === "string") {
    try {
      checkTokenizerSource(run["tokenizer"]);
    } catch (error) {
      issues.push({ path: sectionOf("tokenizer"), message: isBenchError(error) ? error.message : String(error) });
    }
  }
}

function isTextField(key: string): boolean {
  const field = runConfigSchema.shape[key as keyof typeof runConfigSchema.shape] as z.ZodType | undefined;
  return field !== undefined && bare(field) instanceof z.ZodString;
}

/** A `hist:` length distribution as a plan gives it: `{ kind: histogram, file: … }`. */
function isHistogram(value: unknown): value is { kind: "histogram"; file: string } {
  return (
    typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "histogram" && typeof (value as { file?: unknown }).file === "string"
  );
}
