// Owns reading a plan's text (YAML or JSON; JSON is parsed as YAML 1.2) and mapping a value's
// path back to its line, using the yaml library's node ranges. Syntax errors become issues.

import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { PlanIssue, PlanPath } from "./issues.js";

export interface ParsedSource {
  value: unknown;
  /** Syntax problems; when non-empty `value` must not be used. */
  issues: PlanIssue[];
  locate(path: PlanPath): { line: number; col: number } | undefined;
}

/** How many alias expansions a plan may make (yaml's maxAliasCount): far above any real plan. */
export const MAX_ALIAS_COUNT = 1000;

export function parsePlanText(text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: true, uniqueKeys: true });
  const issues: PlanIssue[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    const issue: PlanIssue = { path: [], message: `syntax: ${e.message.split("\n")[0] ?? e.message}` };
    if (pos !== undefined) {
      issue.line = pos.line;
      issue.col = pos.col;
    }
    return issue;
  });
  let value: unknown;
  if (issues.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      // yaml refuses alias bombs ("Excessive alias count…") with a ReferenceError: a plan problem, not a crash.
      issues.push({
        path: [],
        message: `syntax: the plan expands YAML aliases (*name) more than ${MAX_ALIAS_COUNT} times (${(error as Error).message.split("\n")[0] ?? ""}); write the values out instead`,
      });
    }
  }
  return {
    value,
    issues,
    locate: (path) => {
      const offset = offsetOf(doc, path);
      return offset === undefined ? undefined : lineCounter.linePos(offset);
    },
  };
}

/** Offset of the deepest node on `path` that exists: a map key's own position when the last step is a key. */
function offsetOf(doc: Document, path: PlanPath): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = rangeStart(node);
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (pair === undefined) return best;
      best = rangeStart(pair.key) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof step === "number") {
      node = node.items[step];
      best = rangeStart(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}
