// Owns aggregation of one load level's records into the user-facing level summary
// (snake_case ids with units, identical in JSON, CSV, console and docs/metrics.md).
// Latency distributions cover successful requests only; failures are counted by code.

import type { SloTerm } from "../config/units.js";
import type { RequestRecord } from "../client/record.js";
import { deriveRequestMetrics, type RequestMetrics } from "./derive.js";
import { summarize, type Distribution } from "./stats.js";
import { checkStrict, type StrictReport } from "./strict.js";
import type { Endpoint } from "../workload/request-spec.js";

/** Shared by both kinds: a ramp from zero, and what the level was for in a sweep or SLO search. */
interface LoadExtras {
  ramp_s?: number;
  role?: "synchronous" | "throughput" | "sweep" | "probe";
}

export type LevelLoad =
  | ({ kind: "concurrency"; concurrency: number } & LoadExtras)
  | ({
      kind: "rate";
      /** For a replayed trace (arrival "trace"): its mean rate after time_scale. */
      rate_per_s: number;
      arrival: string;
      burstiness: number;
      max_concurrency?: number;
      time_scale?: number;
    } & LoadExtras);

/** TTFT and friends for one group of turns of multi-turn sessions. */
export interface TurnSplit {
  requests: number;
  ttft_ms?: FlatDistribution;
  e2e_ms?: FlatDistribution;
  input_tokens?: FlatDistribution;
}

export interface FlatDistribution {
  count: number;
  mean: number;
  median: number;
  std: number;
  min: number;
  max: number;
  [percentile: `p${string}`]: number;
}

export interface GoodputSummary {
  slo: string;
  good: number;
  fraction: number;
  request_per_s: number;
}

export interface LevelSummary {
  level: number;
  load: LevelLoad;
  requests: { sent: number; completed: number; errored: number; aborted: number; warmup: number };
  errors_by_code: Record<string, number>;
  /** First scheduled send → last completion, seconds. */
  duration_s: number;
  request_per_s: number;
  input_tokens_per_s: number;
  output_tokens_per_s: number;
  total_tokens_per_s: number;
  input_tokens_total: number;
  output_tokens_total: number;
  ttft_ms?: FlatDistribution;
  ttfc_ms?: FlatDistribution;
  tpot_ms?: FlatDistribution;
  itl_ms?: FlatDistribution;
  e2e_ms?: FlatDistribution;
  send_delay_ms?: FlatDistribution;
  decode_tokens_per_s?: FlatDistribution;
  prefill_tokens_per_s?: FlatDistribution;
  input_tokens?: FlatDistribution;
  output_tokens?: FlatDistribution;
  goodput?: GoodputSummary;
  strict?: StrictReport;
  /** Server-side view of the level window from /metrics (telemetry), when scraped. */
  server?: ServerWindow;
  /** Server usage vs the client tokenizer's count of the received text. */
  client_token_check?: { checked: number; differing: number; max_abs_diff: number; tokenizer: string };
  /** Client-vs-server disagreements beyond tolerance (telemetry cross-check). */
  cross_check?: string[];
  /** Multi-turn sessions: first turns (no history) vs later turns (history, possibly cached). */
  by_turn?: { first: TurnSplit; later: TurnSplit };
  /**
   * The prefix cache as the responses report it (`usage.prompt_tokens_details.cached_tokens`,
   * llama.cpp `timings.cache_n`): Σ cached / Σ prompt tokens over the level's completed requests
   * that reported it. Absent when no response carried a cached-token count.
   */
  usage_cache?: { requests: number; cached_prompt_tokens: number; prompt_tokens: number; hit_rate: number };
  /**
   * Reasoning models: Σ usage reasoning tokens (`completion_tokens_details.reasoning_tokens`,
   * SGLang `reasoning_tokens`) and the answer tokens beside them, over the completed requests that
   * reported them. TTFT counts the first token in any channel; `ttfc_ms` is the first answer token.
   */
  reasoning?: { requests: number; reasoning_tokens_total: number; answer_tokens_total: number };
  /**
   * GPU power during the level (--power): the mean of the samples inside its window, joules as
   * that mean × duration_s, and per output token (docs/metrics.md, "Energy").
   */
  energy?: { source: string; samples: number; gpus: number; avg_power_w: number; joules: number; joules_per_output_token: number | null };
  /**
   * --cancel-rate: requests the client cancelled as impatient users do (outcome aborted, excluded
   * from every latency distribution, counted here and in requests.aborted).
   */
  cancelled?: { requests: number; rate: number; after: string };
  /** Requests sent again on a fresh connection after a reused keep-alive socket failed (RequestRecord.clientRetry). */
  client_retries?: number;
  /**
   * With --gpu-hourly-cost: what a million tokens cost at this level's throughput, all GPU time
   * charged to that kind of token (docs/metrics.md, "Cost").
   */
  cost?: { usd_per_gpu_hour: number; gpus: number; usd_per_million_output_tokens: number | null; usd_per_million_input_tokens: number | null };
  /** Shared-prefix groups: the best-case prefix-cache hit rate next to the server's measured one. */
  prefix_cache?: { groups: number; prefix_tokens: number; best_case_hit_rate: number; measured_hit_rate: number | null };
  /** Aggregate SLO terms (e.g. ttft_ms.p99<=1000) evaluated on this level. */
  slo_check?: { met: boolean; terms: Array<{ term: string; actual: number | null; met: boolean }> };
  /** Why the level stopped issuing before its end (over-saturation, error rate, the server stopped answering). */
  stopped_early?: string;
  /** Why this level counts as the target failing (every request failed, error rate above --max-error-rate, server gone): exit 6. */
  target_failed?: string;
  /** The most frequent error kinds with the server's own message (first seen, one line), most frequent first. */
  error_causes?: ErrorCause[];
  /** Requests whose server usage cannot be right (completion_tokens below the text chunks streamed, absurd prompt_tokens). */
  usage_impossible?: { requests: number; output_tokens_from: "streamed_chunks" | "client_tokenizer"; examples: string[] };
  interrupted: boolean;
  warnings: string[];
}

export interface ErrorCause {
  code: string;
  count: number;
  httpStatus?: number;
  /** The first such request's message (the server's own words for HTTP errors), cut to one line. */
  message: string;
}

/** What telemetry contributes per level; the full shape lives in src/telemetry/. */
export interface ServerWindow {
  prefix_cache_hit_rate?: number | null;
  [field: string]: unknown;
}

export interface AggregateOptions {
  level: number;
  load: LevelLoad;
  percentiles: readonly number[];
  slo: readonly SloTerm[];
  strict: boolean;
  endpoint: Endpoint;
  /** Chat prompt targets include the chat template (rendered or server-counted), so strict checks them. */
  templateExact?: boolean;
  interrupted: boolean;
}

export function flatten(dist: Distribution | undefined): FlatDistribution | undefined {
  if (!dist) return undefined;
  const { percentiles, ...rest } = dist;
  return { ...rest, ...percentiles } as FlatDistribution;
}

function sloValue(term: SloTerm, m: RequestMetrics): number | undefined {
  switch (term.metric) {
    case "ttft_ms":
      return m.ttftMs;
    case "tpot_ms":
      // A one-token answer has no TPOT; it cannot violate a TPOT objective.
      return m.tpotMs ?? 0;
    case "e2e_ms":
      return m.e2eMs;
    case "itl_ms":
      return m.itlMs.length === 0 ? 0 : m.itlMs.reduce((a, b) => a + b, 0) / m.itlMs.length;
  }
}

export function meetsSlo(terms: readonly SloTerm[], m: RequestMetrics): boolean {
  return terms.every((term) => {
    const v = sloValue(term, m);
    if (v === undefined) return false;
    switch (term.op) {
      case "<=":
        return v <= term.value;
      case "<":
        return v < term.value;
      case ">=":
        return v >= term.value;
      case ">":
        return v > term.value;
    }
  });
}

export function aggregateLevel(records: readonly RequestRecord[], options: AggregateOptions): LevelSummary {
  const measured = records.filter((r) => !r.warmup);
  const ok = measured.filter((r) => r.outcome === "ok");
  const metrics = ok.map(deriveRequestMetrics);
  const errorsByCode: Record<string, number> = {};
  for (const r of measured) {
    if (r.outcome === "error") {
      const code = r.error?.code ?? "unknown";
      errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
    }
  }
  // A loop, not Math.min(...xs): spreading a million-element array overflows the call stack.
  let firstScheduledMs = Infinity;
  let lastEndMs = -Infinity;
  for (const r of measured) {
    if (r.scheduledMs < firstScheduledMs) firstScheduledMs = r.scheduledMs;
    if (r.endMs > lastEndMs) lastEndMs = r.endMs;
  }
  const durationS = measured.length === 0 ? 0 : (lastEndMs - firstScheduledMs) / 1000;
  const perS = (x: number): number => (durationS > 0 ? x / durationS : 0);
  const inputTotal = metrics.reduce((a, m) => a + m.promptTokens, 0);
  const outputTotal = metrics.reduce((a, m) => a + (m.outputTokens ?? 0), 0);
  const pick = (f: (m: RequestMetrics) => number | undefined): number[] => metrics.map(f).filter((v): v is number => v !== undefined);
  const dist = (values: number[]): FlatDistribution | undefined => flatten(summarize(values, options.percentiles));

  const summary: LevelSummary = {
    level: options.level,
    load: options.load,
    requests: {
      sent: measured.length,
      completed: ok.length,
      errored: measured.filter((r) => r.outcome === "error").length,
      aborted: measured.filter((r) => r.outcome === "aborted").length,
      warmup: records.length - measured.length,
    },
    errors_by_code: errorsByCode,
    duration_s: durationS,
    request_per_s: perS(ok.length),
    input_tokens_per_s: perS(inputTotal),
    output_tokens_per_s: perS(outputTotal),
    total_tokens_per_s: perS(inputTotal + outputTotal),
    input_tokens_total: inputTotal,
    output_tokens_total: outputTotal,
    interrupted: options.interrupted,
    warnings: [],
  };
  const assign = <K extends keyof LevelSummary>(key: K, value: LevelSummary[K] | undefined): void => {
    if (value !== undefined) summary[key] = value;
  };
  assign("ttft_ms", dist(pick((m) => m.ttftMs)));
  assign("ttfc_ms", dist(pick((m) => m.ttfcMs)));
  assign("tpot_ms", dist(pick((m) => m.tpotMs)));
  assign("itl_ms", dist(metrics.flatMap((m) => m.itlMs)));
  assign("e2e_ms", dist(pick((m) => m.e2eMs)));
  assign("send_delay_ms", dist(measured.map((r) => r.sentMs - r.scheduledMs)));
  assign("decode_tokens_per_s", dist(pick((m) => m.decodeTokensPerS)));
  assign("prefill_tokens_per_s", dist(pick((m) => m.prefillTokensPerS)));
  assign("input_tokens", dist(pick((m) => m.promptTokens)));
  assign("output_tokens", dist(pick((m) => m.outputTokens)));
  if (options.slo.length > 0) {
    const good = metrics.filter((m) => meetsSlo(options.slo, m)).length;
    summary.goodput = {
      slo: options.slo.map((t) => `${t.metric}${t.op}${t.value}`).join(","),
      good,
      fraction: measured.length === 0 ? 0 : good / measured.length,
      request_per_s: perS(good),
    };
  }
  if (options.strict) summary.strict = checkStrict(measured, options.endpoint, options.templateExact ?? false);
  const causes = errorCauses(measured);
  if (causes.length > 0) summary.error_causes = causes;
  const impossible = ok.filter((r) => r.usageImpossible !== undefined);
  if (impossible.length > 0) {
    summary.usage_impossible = {
      requests: impossible.length,
      output_tokens_from: "streamed_chunks",
      examples: impossible.slice(0, 3).map((r) => `${r.id}: ${r.usageImpossible as string}`),
    };
  }
  summary.warnings = levelWarnings(summary, options.percentiles);
  return summary;
}

/** Warnings that make a result suspect; shown in the console, summary.md and summary.json. */
/** Matches levelWarnings' small-sample note; group 1 is the part every such level shares ("p99 needs at least 100 to mean anything"). */
export const SMALL_SAMPLE_WARNING = /^only \d+ requests completed: (p[\d.]+ needs at least \d+ to mean anything)$/;

export function levelWarnings(s: LevelSummary, percentiles: readonly number[]): string[] {
  const warnings: string[] = [];
  if (s.requests.sent > 0 && s.requests.errored / s.requests.sent > 0.05) {
    warnings.push(`${s.requests.errored} of ${s.requests.sent} requests failed (${fmtPct(s.requests.errored / s.requests.sent)})`);
  }
  const lagP99 = s.send_delay_ms?.p99;
  if (s.load.kind === "rate" && s.load.max_concurrency === undefined && lagP99 !== undefined && lagP99 > 10) {
    warnings.push(`sends fell behind schedule (p99 ${lagP99.toFixed(1)} ms): the client may be saturated`);
  }
  const maxP = Math.max(...percentiles);
  const needed = Math.ceil(100 / (100 - maxP));
  if (s.requests.completed > 0 && s.requests.completed < needed) {
    warnings.push(`only ${s.requests.completed} requests completed: p${maxP} needs at least ${needed} to mean anything`);
  }
  if (s.strict && s.strict.mismatched > 0) {
    warnings.push(`strict: ${s.strict.mismatched} of ${s.strict.checked} requests had token counts different from the target`);
  }
  if (s.usage_impossible !== undefined) {
    const u = s.usage_impossible;
    warnings.push(
      `the server's usage is wrong on ${u.requests} of ${s.requests.completed} requests (${u.examples[0] ?? ""}): their output tokens are counted from the streamed chunks, so tok/s and TPOT use that count`,
    );
  }
  if (s.interrupted) warnings.push("level interrupted before it finished");
  return warnings;
}

const MAX_CAUSES = 3;
const MAX_MESSAGE_CHARS = 200;

/** The most frequent error codes with counts and the first message of each, cut to one line. */
export function errorCauses(records: readonly RequestRecord[]): ErrorCause[] {
  const byCode = new Map<string, ErrorCause>();
  for (const r of records) {
    if (r.outcome !== "error") continue;
    const code = r.error?.code ?? "unknown";
    const seen = byCode.get(code);
    if (seen !== undefined) {
      seen.count++;
      continue;
    }
    const cause: ErrorCause = { code, count: 1, message: oneLine(r.error?.message ?? "") };
    if (r.error?.httpStatus !== undefined) cause.httpStatus = r.error.httpStatus;
    byCode.set(code, cause);
  }
  return [...byCode.values()].sort((a, b) => b.count - a.count).slice(0, MAX_CAUSES);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= MAX_MESSAGE_CHARS ? flat : `${flat.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

function fmtPct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
