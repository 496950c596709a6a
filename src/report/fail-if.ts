// Owns `compare --fail-if` conditions: "tpot_ms.p99 > +5%" (relative change), "ttft_ms.p50 > +20"
// (absolute change, explicit sign) or "error_rate > 0.01" (B's own value). A condition that
// holds is a failure. Parse errors are BenchErrors naming the flag (exit 2).

import { BenchError } from "../errors.js";

export type ConditionOp = ">" | ">=" | "<" | "<=";

export interface FailCondition {
  /** As written, for messages. */
  text: string;
  metric: string;
  op: ConditionOp;
  /** `relative`: B/A − 1 compared with value (a fraction); `delta`: B − A; `value`: B itself. */
  kind: "relative" | "delta" | "value";
  value: number;
}

const PATTERN = /^\s*([a-z_][a-z0-9_.]*)\s*(>=|<=|>|<)\s*([+-]?)(\d+(?:\.\d+)?)\s*(%?)\s*$/i;

/**
 * @example parseCondition("tpot_ms.p99 > +5%") // { metric: "tpot_ms.p99", op: ">", kind: "relative", value: 0.05 }
 */
export function parseCondition(text: string, isMetric: (id: string) => boolean): FailCondition {
  const m = PATTERN.exec(text);
  if (!m) throw new BenchError("E_BAD_FLAG", `--fail-if: "${text}" is not a condition like "tpot_ms.p99 > +5%"`, { where: "--fail-if" });
  const [, metric = "", op = ">", sign = "", digits = "0", pct = ""] = m;
  if (!isMetric(metric)) throw new BenchError("E_BAD_FLAG", `--fail-if: unknown metric "${metric}" in "${text}"`, { where: "--fail-if" });
  const magnitude = Number(digits) * (sign === "-" ? -1 : 1);
  const kind = pct === "%" ? "relative" : sign !== "" ? "delta" : "value";
  return { text: text.trim(), metric, op: op as ConditionOp, kind, value: kind === "relative" ? magnitude / 100 : magnitude };
}

/** Conditions from repeated flags, each possibly comma-separated. */
export function parseConditions(texts: readonly string[], isMetric: (id: string) => boolean): FailCondition[] {
  return texts.flatMap((t) => t.split(",")).filter((t) => t.trim() !== "").map((t) => parseCondition(t, isMetric));
}

function holds(x: number, op: ConditionOp, y: number): boolean {
  switch (op) {
    case ">":
      return x > y;
    case ">=":
      return x >= y;
    case "<":
      return x < y;
    case "<=":
      return x <= y;
  }
}

/** True when the condition holds (= failure) for values A → B; undefined when it cannot be judged. */
export function conditionFails(c: FailCondition, a: number | undefined, b: number | undefined): boolean | undefined {
  if (b === undefined || !Number.isFinite(b)) return undefined;
  if (c.kind === "value") return holds(b, c.op, c.value);
  if (a === undefined || !Number.isFinite(a)) return undefined;
  if (c.kind === "delta") return holds(Math.round((b - a) * 1e9) / 1e9, c.op, c.value);
  if (a === 0) return b === 0 ? holds(0, c.op, c.value) : holds(b > 0 ? Infinity : -Infinity, c.op, c.value);
  // Rounded so that 100 → 105 is exactly +5% (binary floating point says 5.0000000000000044%).
  return holds(Math.round((b / a - 1) * 1e9) / 1e9, c.op, c.value);
}
