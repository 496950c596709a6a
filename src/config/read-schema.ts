// Owns reading back files servebench (or someone else) wrote: a value is checked against its zod
// schema and a mismatch becomes one BenchError naming the file and the field path, e.g.
// `run/summary.json: levels[0].completed: expected number, got string "lots"`. Never trusts shape.

import type { z } from "zod";
import { BenchError } from "../errors.js";

/** `["levels", 0, "completed"]` → `levels[0].completed`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `${out === "" ? "" : "."}${String(p)}`;
  return out === "" ? "(top level)" : out;
}

function got(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** One line for the first issue: the field path (under `prefix`), what was expected and what the file holds. */
export function describeIssue(error: z.ZodError, value: unknown, prefix: readonly PropertyKey[] = []): string {
  const issue = error.issues[0];
  if (issue === undefined) return "does not match its schema";
  if (issue.code === "unrecognized_keys") return `${fieldPath([...prefix, ...issue.path, issue.keys[0] ?? ""])}: not a field of this file`;
  const at = valueAt(value, issue.path);
  const expected = issue.code === "invalid_type" ? `expected ${issue.expected}` : issue.message;
  return `${fieldPath([...prefix, ...issue.path])}: ${expected}, got ${at === undefined ? "nothing" : got(at)}`;
}

/**
 * Parses `value` (already JSON-decoded) read from `file`; throws BenchError E_BAD_FILE otherwise.
 * @example const summary = parseWithSchema(runSummarySchema, JSON.parse(text), "run/summary.json");
 */
export function parseWithSchema<S extends z.ZodType>(schema: S, value: unknown, file: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new BenchError("E_BAD_FILE", `${file}: ${describeIssue(result.error, value)}`, { where: file, cause: result.error });
}
