// Owns the per-level additions that need more than one module's data: aggregate SLO checks
// (and the level summary run and predict both build with them), the first-turn / later-turn
// split of multi-turn sessions, and the best-case prefix-cache hit rate of shared-prefix groups
// next to the server's measured one.

import type { RunConfig } from "../config/run-config.js";
import { compareSlo, formatSloTerm, perRequestSlo, type SloTerm } from "../config/units.js";
import type { RequestRecord } from "../client/record.js";
import { deriveRequestMetrics, outputTokensOf, promptTokensOf, type RequestMetrics } from "../metrics/derive.js";
import { aggregateLevel, flatten, type LevelLoad, type LevelSummary, type TurnSplit } from "../metrics/level.js";
import { percentileSorted, summarize } from "../metrics/stats.js";
import type { RequestSpec } from "../workload/request-spec.js";

/**
 * A level's summary as `run` and `predict` both build it: the records aggregated under the run's
 * percentiles, per-request SLO and strict settings, plus the aggregate SLO check that
 * `--profile slo-search` steers by.
 */
export function summarizeLevel(
  records: readonly RequestRecord[],
  config: RunConfig,
  level: { level: number; load: LevelLoad },
  o: { templateExact: boolean; interrupted: boolean },
): LevelSummary {
  const summary = aggregateLevel(records, {
    level: level.level,
    load: level.load,
    percentiles: config.percentiles,
    slo: perRequestSlo(config.slo),
    strict: config.strict,
    endpoint: config.endpoint,
    templateExact: o.templateExact,
    interrupted: o.interrupted,
  });
  const check = sloCheck(records, config.slo);
  if (check !== undefined) summary.slo_check = check;
  const cost = levelCost(summary, config);
  if (cost !== undefined) summary.cost = cost;
  const reasoning = reasoningSplit(records);
  if (reasoning !== undefined) summary.reasoning = reasoning;
  return summary;
}

/** GPUs the cost is for: --gpu-count, else the embedded simulator's tp × pp, else 1. */
export function costGpus(config: RunConfig): number {
  return config.gpuCount ?? (config.url === undefined ? (config.sim.tp ?? 1) * (config.sim.pp ?? 1) : 1);
}

/** $ per million tokens = hourly cost × GPUs / (tokens per second × 3600) × 10⁶; null at zero throughput. */
export function levelCost(level: Pick<LevelSummary, "output_tokens_per_s" | "input_tokens_per_s">, config: RunConfig): LevelSummary["cost"] {
  const hourly = config.gpuHourlyCostUsd;
  if (hourly === undefined) return undefined;
  const gpus = costGpus(config);
  const perMillion = (tokensPerS: number): number | null =>
    tokensPerS > 0 ? Math.round(((hourly * gpus) / (tokensPerS * 3600)) * 1e6 * 10_000) / 10_000 : null;
  return {
    usd_per_gpu_hour: hourly,
    gpus,
    usd_per_million_output_tokens: perMillion(level.output_tokens_per_s),
    usd_per_million_input_tokens: perMillion(level.input_tokens_per_s),
  };
}

/**
 * Evaluates aggregate terms (metric.pNN, .mean, .median) over the level's measured requests. A
 * failed request counts as an infinitely slow one, so errors cannot make a level look good.
 */
export function sloCheck(records: readonly RequestRecord[], terms: readonly SloTerm[]): LevelSummary["slo_check"] {
  const aggregate = terms.filter((t) => t.stat !== undefined);
  if (aggregate.length === 0) return undefined;
  const measured = records.filter((r) => !r.warmup && r.outcome !== "aborted");
  const failed = measured.filter((r) => r.outcome !== "ok").length;
  const metrics = measured.filter((r) => r.outcome === "ok").map(deriveRequestMetrics);
  const results = aggregate.map((term) => {
    const values = valuesOf(term.metric, metrics);
    for (let i = 0; i < failed; i++) values.push(Infinity);
    const actual = statOf(values, term.stat as string);
    return {
      term: formatSloTerm(term),
      actual: Number.isFinite(actual) ? actual : null,
      met: Number.isFinite(actual) && compareSlo(actual, term.op, term.value),
    };
  });
  return { met: results.every((r) => r.met), terms: results };
}

function valuesOf(metric: SloTerm["metric"], metrics: readonly RequestMetrics[]): number[] {
  switch (metric) {
    case "ttft_ms":
      return metrics.flatMap((m) => (m.ttftMs === undefined ? [] : [m.ttftMs]));
    case "tpot_ms":
      return metrics.flatMap((m) => (m.tpotMs === undefined ? [] : [m.tpotMs]));
    case "e2e_ms":
      return metrics.map((m) => m.e2eMs);
    case "itl_ms":
      return metrics.flatMap((m) => m.itlMs);
  }
}

function statOf(values: number[], stat: string): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  if (stat === "mean") return values.reduce((a, b) => a + b, 0) / values.length;
  if (stat === "median") return percentileSorted(sorted, 50);
  return percentileSorted(sorted, Number(stat.slice(1)));
}

/** Splits ok requests by turn: turn 0 (no history) vs later turns. */
export function turnSplit(
  records: readonly RequestRecord[],
  turnOf: ReadonlyMap<string, number>,
  percentiles: readonly number[],
): NonNullable<LevelSummary["by_turn"]> {
  const split = (keep: (turn: number) => boolean): TurnSplit => {
    const ok = records.filter((r) => !r.warmup && r.outcome === "ok" && keep(turnOf.get(r.id) ?? 0));
    const metrics = ok.map(deriveRequestMetrics);
    const out: TurnSplit = { requests: ok.length };
    const ttft = flatten(
      summarize(
        metrics.flatMap((m) => (m.ttftMs === undefined ? [] : [m.ttftMs])),
        percentiles,
      ),
    );
    const e2e = flatten(
      summarize(
        metrics.map((m) => m.e2eMs),
        percentiles,
      ),
    );
    const input = flatten(
      summarize(
        metrics.map((m) => m.promptTokens),
        percentiles,
      ),
    );
    if (ttft) out.ttft_ms = ttft;
    if (e2e) out.e2e_ms = e2e;
    if (input) out.input_tokens = input;
    return out;
  };
  return { first: split((t) => t === 0), later: split((t) => t > 0) };
}

/**
 * Best case: an infinite cache that keeps every prefix, so only a group's first request ever
 * misses. Ignores block granularity (vLLM caches whole 16-token blocks only) and eviction.
 * `seenGroups` carries groups sent earlier in the run (warmups, earlier levels); it is updated.
 */
export function bestCasePrefixHitRate(specs: readonly RequestSpec[], seenGroups: Set<number>): number {
  let hit = 0;
  let total = 0;
  for (const spec of specs) {
    total += spec.inputTokens;
    if (spec.group === undefined) continue;
    if (seenGroups.has(spec.group)) hit += spec.prefixTokens ?? 0;
    else seenGroups.add(spec.group);
  }
  return total === 0 ? 0 : hit / total;
}

/** LevelSummary.usage_cache from the measured, completed requests' cached-token counts. */
export function usageCache(records: readonly RequestRecord[]): LevelSummary["usage_cache"] {
  let requests = 0;
  let cached = 0;
  let prompt = 0;
  for (const r of records) {
    const u = r.usage;
    if (r.warmup || r.outcome !== "ok" || u?.cachedPromptTokens === undefined || u.promptTokens === undefined) continue;
    requests++;
    cached += u.cachedPromptTokens;
    prompt += u.promptTokens;
  }
  if (requests === 0) return undefined;
  return { requests, cached_prompt_tokens: cached, prompt_tokens: prompt, hit_rate: prompt > 0 ? Math.round((cached / prompt) * 10_000) / 10_000 : 0 };
}

/** Above this share of cached prompt tokens a level's TTFT describes cached prompts: say so. */
export const WARN_USAGE_CACHE_HIT_RATE = 0.5;

/** What a server's own token counters should show for a level's requests (serverCountedTokens). */
export interface ServedTokens {
  /** Tokens the server certainly counted: ok requests' usage, and what failed or cancelled streams delivered. */
  inputTokens: number;
  outputTokens: number;
  /**
   * Upper bounds: a stream the server answered and then failed (an error event, a timeout, a
   * dropped connection) may have cost it more than the client saw: its prompt even when no token
   * arrived, and up to the requested length (llama.cpp generates a chat answer to the end, holds
   * back what its output parser cannot place, then fails the request).
   */
  inputTokensMax: number;
  outputTokensMax: number;
  /**
   * TTFT median over the same requests (null when none had a first token): the server's TTFT
   * histogram holds cancelled and failed streams too, while the level's `ttft_ms` is over ok
   * requests only, so the cross-check compares the server with this one.
   */
  ttftP50Ms: number | null;
}

/**
 * The tokens a server's own counters include for these requests: every ok request's usage, and
 * for a request that failed mid-stream or that the client cancelled (the server had its prompt and
 * generated what the client received before the end) its target prompt and the chunks that arrived,
 * with the upper bounds of ServedTokens for streams that failed. Refused requests (HTTP errors,
 * connections that never got an answer) count nothing.
 */
export function serverCountedTokens(records: readonly RequestRecord[]): ServedTokens {
  const t: Omit<ServedTokens, "ttftP50Ms"> = { inputTokens: 0, outputTokens: 0, inputTokensMax: 0, outputTokensMax: 0 };
  const ttfts: number[] = [];
  for (const r of records) {
    if (r.warmup) continue;
    const chunks = r.tokenChunkMs.length;
    if (r.outcome === "ok") {
      // The level's own rule for usage it can trust (an absurd count is the server's bug, not its work).
      const input = promptTokensOf(r);
      const output = outputTokensOf(r) ?? chunks;
      t.inputTokens += input;
      t.inputTokensMax += input;
      t.outputTokens += output;
      t.outputTokensMax += output;
      if (r.firstTokenMs !== undefined) ttfts.push(r.firstTokenMs - r.scheduledMs);
      continue;
    }
    if (r.error?.httpStatus !== undefined) continue;
    const started = r.firstTokenMs !== undefined && (r.outcome === "error" || r.cancelled !== undefined);
    if (started) {
      t.inputTokens += r.targetInputTokens;
      t.outputTokens += chunks;
      ttfts.push((r.firstTokenMs ?? 0) - r.scheduledMs);
    }
    if (r.outcome === "error" && r.headersMs !== undefined) {
      t.inputTokensMax += r.targetInputTokens;
      t.outputTokensMax += Math.max(chunks, r.targetOutputTokens ?? chunks);
    } else if (started) {
      t.inputTokensMax += r.targetInputTokens;
      t.outputTokensMax += chunks;
    }
  }
  return { ...t, ttftP50Ms: summarize(ttfts, [])?.median ?? null };
}

/** LevelSummary.reasoning from the completed requests whose usage reports reasoning tokens. */
export function reasoningSplit(records: readonly RequestRecord[]): LevelSummary["reasoning"] {
  let requests = 0;
  let reasoning = 0;
  let answer = 0;
  for (const r of records) {
    const u = r.usage;
    if (r.warmup || r.outcome !== "ok" || u?.reasoningTokens === undefined || u.completionTokens === undefined) continue;
    requests++;
    reasoning += u.reasoningTokens;
    answer += Math.max(0, u.completionTokens - u.reasoningTokens);
  }
  return requests === 0 || reasoning === 0 ? undefined : { requests, reasoning_tokens_total: reasoning, answer_tokens_total: answer };
}
