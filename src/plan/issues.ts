// Owns plan problems as data: each issue has a path (`servers.vllm.command[4]`), a message and,
// when the source is known, a line. PlanError carries all of them; the CLI prints one per line.

import type { z } from "zod";
import { BenchError } from "../errors.js";

export type PlanPath = ReadonlyArray<string | number>;

export interface PlanIssue {
  path: PlanPath;
  message: string;
  /** 1-based position in the plan file, when the path could be found in it. */
  line?: number;
  col?: number;
  /** The cell whose expansion found it (the same mistake in many cells is reported once). */
  cell?: string;
}

/** `["servers", "vllm", "command", 4]` → `servers.vllm.command[4]`. */
export function formatPath(path: PlanPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === "" ? "(plan)" : out;
}

/** `plan.yaml:12:5: servers.vllm.command[4]: message` */
export function formatIssue(file: string, issue: PlanIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.col ?? 1}`;
  return `${where}: ${formatPath(issue.path)}: ${issue.message}`;
}

/** A plan that cannot run. `issues` lists every problem found, not just the first. */
export class PlanError extends BenchError {
  readonly issues: readonly PlanIssue[];
  readonly file: string;

  constructor(file: string, issues: readonly PlanIssue[]) {
    const lines = issues.map((i) => formatIssue(file, i));
    const head = issues.length === 1 ? "" : `${file}: ${issues.length} problems\n  `;
    const first = issues[0];
    const where = first?.line === undefined ? file : `${file}:${first.line}`;
    super("E_BAD_CONFIG", `${head}${lines.join("\n  ")}`, { where });
    this.name = "PlanError";
    this.issues = issues;
    this.file = file;
  }
}

type ZodIssue = z.core.$ZodIssue;

/**
 * Converts zod issues to plan issues. A union of "value or ${variable}" that fails reports the
 * value's own problem (its first alternative), which is what the user meant to write.
 */
export function issuesFromZod(issues: readonly ZodIssue[], prefix: PlanPath = [], vocabulary: readonly string[] = []): PlanIssue[] {
  const out: PlanIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as Array<string | number>)];
    if (issue.code === "invalid_union" && issue.errors.length > 0 && issue.errors[0] !== undefined && issue.errors[0].length > 0) {
      out.push(...issuesFromZod(issue.errors[0], path, vocabulary).slice(0, 1));
    } else if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const near = closest(key, vocabulary);
        out.push({ path: [...path, key], message: `unknown field "${key}"${near === undefined ? "" : ` (did you mean "${near}"?)`}` });
      }
    } else if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
      out.push({ path, message: `required (expected ${issue.expected})` });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** Merges repeats of the same path and message (the same mistake seen from many cells). */
export function dedupeIssues(issues: readonly PlanIssue[]): PlanIssue[] {
  const groups = new Map<string, { issue: PlanIssue; cells: string[] }>();
  for (const issue of issues) {
    const key = `${formatPath(issue.path)}\u0000${issue.message}`;
    const group = groups.get(key) ?? { issue, cells: [] };
    if (issue.cell !== undefined && !group.cells.includes(issue.cell)) group.cells.push(issue.cell);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ issue, cells }) => {
    if (cells.length === 0) return issue;
    const more = cells.length > 1 ? ` and ${cells.length - 1} more` : "";
    return { ...issue, message: `${issue.message} [cell ${cells[0] ?? ""}${more}]` };
  });
}

/** The vocabulary word within edit distance 2 of `word`, if any. */
function closest(word: string, vocabulary: readonly string[]): string | undefined {
  let best: { w: string; d: number } | undefined;
  for (const w of vocabulary) {
    const d = distance(word.toLowerCase(), w.toLowerCase());
    if (d <= 2 && (best === undefined || d < best.d)) best = { w, d };
  }
  return best?.w;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
