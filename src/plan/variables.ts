// Owns `${var}` in plan values: finding references, and expanding them from a cell's dimensions,
// built-ins and `${env:NAME}` (or `${env:NAME:-default}`). `$${` writes a literal `${`. A value that
// is exactly one reference keeps its type (`inputTokens: ${ctx}` stays a number).

import { registerSecret } from "../config/redact.js";
import type { PlanIssue, PlanPath } from "./issues.js";
import type { Scalar } from "./plan-schema.js";

const TOKEN = /\$\$\{|\$\{([^}]*)\}/g;

export interface Scope {
  vars: ReadonlyMap<string, Scalar>;
  env: Readonly<Record<string, string | undefined>>;
  /** Names left as `${name}` for a later pass (e.g. `port`, known only at launch). */
  deferred?: ReadonlySet<string>;
  /** Keep `${env:...}` unexpanded (the copy written to plan.json, so secrets stay out of it). */
  keepEnvRefs?: boolean;
  /** Last pass: turn `$${` into `${`. Earlier passes keep the escape for the next one. */
  final: boolean;
  /** Names some cell defines (for a clearer message when this cell lacks one). */
  allNames?: ReadonlySet<string>;
}

export const BUILTIN_VARS = ["node", "servebench", "plan_dir", "cell", "repeat"] as const;

export function unknownVariable(name: string): string {
  return `unknown variable \${${name}}: not a matrix dimension, a built-in (${BUILTIN_VARS.join(", ")}, port in servers) or env:NAME`;
}

/** Every variable name referenced in `text` (escapes excluded), e.g. ["gpu", "env:HOME"]. */
export function referencedNames(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(TOKEN)) if (m[1] !== undefined) names.push(m[1].trim());
  return names;
}

function envRef(name: string): { key: string; fallback: string | undefined } | undefined {
  if (!name.startsWith("env:")) return undefined;
  const body = name.slice(4);
  const at = body.indexOf(":-");
  return at < 0 ? { key: body, fallback: undefined } : { key: body.slice(0, at), fallback: body.slice(at + 2) };
}

type Lookup = { value: Scalar } | { keep: true } | { error: string };

function lookup(rawName: string, scope: Scope): Lookup {
  const name = rawName.trim();
  const env = envRef(name);
  if (env !== undefined) {
    if (scope.keepEnvRefs === true) return { keep: true };
    const value = scope.env[env.key] ?? env.fallback;
    // Whatever the environment gave is redacted from every file and log line written later.
    if (scope.env[env.key] !== undefined) registerSecret(value);
    return value === undefined ? { error: `environment variable ${env.key} is not set (write \${env:${env.key}:-default} for a default)` } : { value };
  }
  if (scope.deferred?.has(name) === true) return { keep: true };
  const value = scope.vars.get(name);
  if (value !== undefined) return { value };
  if (scope.allNames?.has(name) === true) return { error: `\${${name}} has no value in this cell (only some matrix.include entries set it)` };
  return { error: unknownVariable(name) };
}

function expandString(text: string, scope: Scope, path: PlanPath, issues: PlanIssue[]): Scalar {
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  if (whole?.[1] !== undefined) {
    const found = lookup(whole[1], scope);
    if ("value" in found) return found.value;
    if ("error" in found) issues.push({ path, message: found.error });
    return text;
  }
  return text.replace(TOKEN, (match, name: string | undefined) => {
    if (name === undefined) return scope.final ? "${" : match;
    const found = lookup(name, scope);
    if ("value" in found) return String(found.value);
    if ("error" in found) issues.push({ path, message: found.error });
    return match;
  });
}

/** Expands every string inside `value` (object keys are left alone). Problems are pushed to `issues`. */
export function expandValue(value: unknown, scope: Scope, path: PlanPath, issues: PlanIssue[]): unknown {
  if (typeof value === "string") return expandString(value, scope, path, issues);
  if (Array.isArray(value)) return value.map((v, i) => expandValue(v, scope, [...path, i], issues));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandValue(v, scope, [...path, k], issues);
    return out;
  }
  return value;
}

/** Calls `visit` for every variable reference in `value`, with the path of the string holding it. */
export function forEachReference(value: unknown, path: PlanPath, visit: (name: string, path: PlanPath) => void): void {
  if (typeof value === "string") {
    for (const name of referencedNames(value)) visit(name, path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => forEachReference(v, [...path, i], visit));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) forEachReference(v, [...path, k], visit);
  }
}
