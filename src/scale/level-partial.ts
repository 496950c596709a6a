// Owns one shard's contribution to a level, built record by record with numbers only (growable
// Float64Arrays per metric, sorted when done), so shards can be accumulated in parallel and
// combined exactly. Same derivations as metrics/level.ts aggregateLevel.

import type { RequestRecord } from "../client/record.js";
import type { SloTerm } from "../config/units.js";
import { deriveRequestMetrics } from "../metrics/derive.js";
import { FastExactSum, type ExactSumState } from "../metrics/exact-sum.js";
import { meetsSlo } from "../metrics/level.js";
import { checkStrict, type StrictReport } from "../metrics/strict.js";
import { sortF64 } from "./sort-f64.js";
import type { Endpoint } from "../workload/request-spec.js";

/**
 * Numbers appended into chunks (8 bytes per value instead of a boxed number). Chunks grow to 1M
 * values and are never copied while growing, so taking the values costs one copy, not the
 * transient 3× of a doubling array: what keeps a merge of millions of records under its memory target.
 */
export class GrowableF64 {
  private readonly full: Float64Array[] = [];
  private current = new Float64Array(1024);
  private used = 0;
  length = 0;

  push(v: number): void {
    if (this.used === this.current.length) {
      this.full.push(this.current);
      this.current = new Float64Array(Math.min(this.current.length * 2, 1 << 20));
      this.used = 0;
    }
    this.current[this.used++] = v;
    this.length++;
  }

  /** The values as one standalone (transferable) array; the builder's chunks are released. */
  take(): Float64Array {
    if (this.full.length === 0 && this.used === this.current.length) return this.current;
    const out = new Float64Array(this.length);
    let at = 0;
    for (const chunk of this.full.splice(0)) {
      out.set(chunk, at);
      at += chunk.length;
    }
    out.set(this.current.subarray(0, this.used), at);
    this.current = new Float64Array(0);
    this.used = 0;
    return out;
  }
}

export const METRICS = [
  "ttft_ms",
  "ttfc_ms",
  "tpot_ms",
  "itl_ms",
  "e2e_ms",
  "send_delay_ms",
  "decode_tokens_per_s",
  "prefill_tokens_per_s",
  "input_tokens",
  "output_tokens",
] as const;
export type MetricId = (typeof METRICS)[number];

export const MAX_STRICT_EXAMPLES = 20;

export interface PartialOptions {
  slo: readonly SloTerm[];
  strict: boolean;
  endpoint: Endpoint;
  /** Chat prompts were counted with the server's template, so prompt tokens are checked too (metrics/strict.ts). */
  templateExact?: boolean;
}

/** Structured-cloneable; `values` are sorted ascending. */
export interface LevelPartial {
  level: number;
  counts: { sent: number; completed: number; errored: number; aborted: number; warmup: number; good: number; inputTotal: number; outputTotal: number };
  firstScheduledMs: number;
  lastEndMs: number;
  errorsByCode: Record<string, number>;
  strict?: StrictReport;
  values: Record<MetricId, Float64Array>;
  /** Exact sum of each metric's values, computed on the shard's thread so the merge need not. */
  sums?: Record<MetricId, ExactSumState>;
}

export class PartialBuilder {
  private readonly values = new Map<MetricId, GrowableF64>(METRICS.map((m) => [m, new GrowableF64()]));
  private readonly counts: LevelPartial["counts"] = { sent: 0, completed: 0, errored: 0, aborted: 0, warmup: 0, good: 0, inputTotal: 0, outputTotal: 0 };
  private firstScheduledMs = Infinity;
  private lastEndMs = -Infinity;
  private readonly errorsByCode: Record<string, number> = {};
  private readonly strict: StrictReport | undefined;

  constructor(
    readonly level: number,
    private readonly options: PartialOptions,
  ) {
    if (options.strict) this.strict = checkStrict([], options.endpoint, options.templateExact ?? false);
  }

  add(r: RequestRecord): void {
    const c = this.counts;
    if (r.warmup) {
      c.warmup++;
      return;
    }
    c.sent++;
    this.firstScheduledMs = Math.min(this.firstScheduledMs, r.scheduledMs);
    this.lastEndMs = Math.max(this.lastEndMs, r.endMs);
    this.push("send_delay_ms", r.sentMs - r.scheduledMs);
    if (this.strict !== undefined) addStrict(this.strict, checkStrict([r], this.options.endpoint, this.options.templateExact ?? false));
    if (r.outcome === "error") {
      c.errored++;
      const code = r.error?.code ?? "unknown";
      this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
    }
    if (r.outcome === "aborted") c.aborted++;
    if (r.outcome !== "ok") return;
    c.completed++;
    const m = deriveRequestMetrics(r);
    c.inputTotal += m.promptTokens;
    c.outputTotal += m.outputTokens ?? 0;
    this.push("ttft_ms", m.ttftMs);
    this.push("ttfc_ms", m.ttfcMs);
    this.push("tpot_ms", m.tpotMs);
    const itl = this.values.get("itl_ms") as GrowableF64;
    for (const v of m.itlMs) itl.push(v);
    this.push("e2e_ms", m.e2eMs);
    this.push("decode_tokens_per_s", m.decodeTokensPerS);
    this.push("prefill_tokens_per_s", m.prefillTokensPerS);
    this.push("input_tokens", m.promptTokens);
    this.push("output_tokens", m.outputTokens);
    if (this.options.slo.length > 0 && meetsSlo(this.options.slo, m)) c.good++;
  }

  /** Sorts every metric in place and hands the partial over (the builder is done). */
  finish(): LevelPartial {
    const values = {} as Record<MetricId, Float64Array>;
    const sums = {} as Record<MetricId, ExactSumState>;
    for (const id of METRICS) {
      values[id] = sortF64((this.values.get(id) as GrowableF64).take());
      sums[id] = new FastExactSum().addAll(values[id]).state();
    }
    const partial: LevelPartial = {
      level: this.level,
      counts: this.counts,
      firstScheduledMs: this.firstScheduledMs,
      lastEndMs: this.lastEndMs,
      errorsByCode: this.errorsByCode,
      values,
      sums,
    };
    if (this.strict !== undefined) partial.strict = this.strict;
    return partial;
  }

  private push(id: MetricId, v: number | undefined): void {
    if (v !== undefined) (this.values.get(id) as GrowableF64).push(v);
  }
}

/** Adds one strict report into another, keeping the first examples in record order. */
export function addStrict(acc: StrictReport, one: StrictReport): void {
  acc.checked += one.checked;
  acc.mismatched += one.mismatched;
  acc.input_mismatches += one.input_mismatches;
  acc.output_mismatches += one.output_mismatches;
  for (const e of one.examples) if (acc.examples.length < MAX_STRICT_EXAMPLES) acc.examples.push(e);
}
