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

const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1000, kb: 1000, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3 };

/** "4MiB" → 4194304, "512KB" → 512000, "65536" → 65536 (whole bytes, at least 1). */
export function parseByteSize(value: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = BYTE_UNITS[(m?.[2] ?? "").toLowerCase()];
  const n = m === null || unit === undefined ? NaN : Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(n) || n < 1) throw bad(flag, value, "a size like 4MiB, 512KiB or 65536 (bytes)");
  return n;
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
  /**
   * Absent: a per-request term (goodput counts the requests that meet it). Present: an aggregate
   * term on the level's distribution ("p99", "p99.9", "mean", "median"), for SLO search and
   * thresholds; its goodput counterpart is the same bound applied to each request.
   */
  stat?: SloStat | undefined;
}
export const SLO_METRICS = ["ttft_ms", "tpot_ms", "e2e_ms", "itl_ms"] as const;
export type SloMetric = (typeof SLO_METRICS)[number];
/** "mean", "median" or "pNN" (e.g. "p99", "p99.9"). */
export type SloStat = string;

/**
 * "ttft_ms<=500,tpot_ms.p99<=50" → terms. Plain terms apply to every request (goodput);
 * `metric.pNN`, `metric.mean` and `metric.median` apply to the level's distribution.
 */
export function parseSlo(value: string, flag: string): SloTerm[] {
  return parseList(value, flag, (part) => {
    const m = /^([a-z][a-z0-9_]*)(?:\.(p\d+(?:\.\d+)?|mean|median))?\s*(<=|<|>=|>)\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw bad(flag, part, "an SLO term like ttft_ms<=500 or ttft_ms.p99<=1000");
    const metric = m[1] as SloMetric;
    if (!SLO_METRICS.includes(metric)) {
      throw bad(flag, part, `an SLO on one of ${SLO_METRICS.join(", ")}`);
    }
    const term: SloTerm = { metric, op: m[3] as SloOp, value: Number(m[4]) };
    if (m[2] !== undefined) {
      const stat = m[2] as SloStat;
      const q = stat.startsWith("p") ? Number(stat.slice(1)) : 50;
      if (!(q > 0 && q < 100)) throw bad(flag, part, "a percentile between p0 and p100 (exclusive)");
      term.stat = stat;
    }
    return term;
  });
}

export function formatSloTerm(t: SloTerm): string {
  return `${t.metric}${t.stat === undefined ? "" : `.${t.stat}`}${t.op}${t.value}`;
}

export function formatSlo(terms: readonly SloTerm[]): string {
  return terms.map(formatSloTerm).join(",");
}

/** The per-request terms goodput counts: plain terms as given, aggregate terms applied per request. */
export function perRequestSlo(terms: readonly SloTerm[]): SloTerm[] {
  return terms.map(({ metric, op, value }) => ({ metric, op, value }));
}

/** True when `actual` satisfies `op value`. */
export function compareSlo(actual: number, op: SloOp, value: number): boolean {
  switch (op) {
    case "<=":
      return actual <= value;
    case "<":
      return actual < value;
    case ">=":
      return actual >= value;
    case ">":
      return actual > value;
  }
}
