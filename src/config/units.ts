// Owns parsing of user-facing unit strings (durations, request counts, lists, SLOs) into numbers.
// Every parser throws BenchError(E_BAD_FLAG) naming the flag, so the CLI prints one clear line.

import { BenchError } from "../errors.js";

function bad(flag: string, value: string, expected: string): BenchError {
  return new BenchError("E_BAD_FLAG", `${flag}: "${value}" is not ${expected}`, { where: flag });
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "500ms", "60s", "10m", "1h", or a bare number of seconds → milliseconds. */
export function parseDurationMs(value: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!match) throw bad(flag, value, "a duration like 500ms, 60s, 10m or 1h");
  const amount = Number(match[1]);
  const unitMs = DURATION_UNITS_MS[match[2] ?? "s"] ?? 1000;
  const ms = amount * unitMs;
  if (!(ms > 0)) throw bad(flag, value, "a positive duration");
  return ms;
}

export type RequestCount = { kind: "count"; n: number } | { kind: "multiple"; factor: number };

/** "30" → 30 requests; "3x" → three times the level's concurrency (or rate × 1 s). */
export function parseRequestCount(value: string, flag: string): RequestCount {
  const multiple = /^\s*(\d+(?:\.\d+)?)x\s*$/i.exec(value);
  if (multiple) {
    const factor = Number(multiple[1]);
    if (!(factor > 0)) throw bad(flag, value, "a positive multiple like 3x");
    return { kind: "multiple", factor };
  }
  return { kind: "count", n: parsePositiveInt(value, flag) };
}

export function parsePositiveInt(value: string, flag: string): number {
  if (!/^\s*\d+\s*$/.test(value)) throw bad(flag, value, "a positive integer");
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw bad(flag, value, "a positive integer");
  return n;
}

export function parseNonNegativeInt(value: string, flag: string): number {
  if (!/^\s*\d+\s*$/.test(value)) throw bad(flag, value, "a non-negative integer");
  return Number(value);
}

export function parsePositiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw bad(flag, value, "a positive number");
  return n;
}

/** "1,10,40" → [1, 10, 40]; each item parsed by `item`. */
export function parseList<T>(value: string, flag: string, item: (v: string, f: string) => T): T[] {
  const parts = value.split(",").map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === "")) throw bad(flag, value, "a comma-separated list");
  return parts.map((p) => item(p, flag));
}

export type SloOp = "<=" | "<" | ">=" | ">";
export interface SloTerm {
  /** Per-request metric id, e.g. ttft_ms, tpot_ms, e2e_ms, itl_ms (mean ITL of the request). */
  metric: SloMetric;
  op: SloOp;
  value: number;
}
export const SLO_METRICS = ["ttft_ms", "tpot_ms", "e2e_ms", "itl_ms"] as const;
export type SloMetric = (typeof SLO_METRICS)[number];

/** "ttft_ms<=500,tpot_ms<=50" → terms that every good request must meet (goodput). */
export function parseSlo(value: string, flag: string): SloTerm[] {
  return parseList(value, flag, (part) => {
    const m = /^([a-z_]+)\s*(<=|<|>=|>)\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw bad(flag, part, "an SLO term like ttft_ms<=500");
    const metric = m[1] as SloMetric;
    if (!SLO_METRICS.includes(metric)) {
      throw bad(flag, part, `an SLO on one of ${SLO_METRICS.join(", ")}`);
    }
    return { metric, op: m[2] as SloOp, value: Number(m[3]) };
  });
}

export function formatSlo(terms: readonly SloTerm[]): string {
  return terms.map((t) => `${t.metric}${t.op}${t.value}`).join(",");
}
