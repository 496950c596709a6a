// Owns the per-level `server` summary: rates, ratios and percentiles from counter and histogram
// deltas between scrapes that bracket a level's window. Pure: scrapes in, summary out.

import { histogramDelta, histogramQuantile, histogramWasReset, mergeHistograms, type Histogram } from "./histogram.js";
import type { CanonicalSnapshot, Dialect } from "./normalize.js";
import type { Scrape } from "./scrape.js";

export interface PercentilesMs {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/**
 * Keys are exactly as written to summary.json. Null means the engine or the window gave no data.
 * A type alias (not an interface) so it fits `Record<string, unknown>`-shaped report slots.
 */
export type ServerLevelSummary = {
  dialect: Dialect | null;
  /** The scrapes actually used as window edges (run-relative ms); rates are over this span. */
  bracket_start_ms: number | null;
  bracket_end_ms: number | null;
  /** Δhits / Δqueries (tokens on vLLM and SGLang), 0..1. */
  prefix_cache_hit_rate: number | null;
  prompt_tokens_per_s: number | null;
  generation_tokens_per_s: number | null;
  /** Δ of the prompt and generation token counters over the bracket (prompt includes cached). */
  prompt_tokens: number | null;
  generation_tokens: number | null;
  /** The engine's token counters grow only as requests end: compare totals, not per-second rates. */
  counters_lag: boolean;
  running_peak: number | null;
  running_mean: number | null;
  waiting_peak: number | null;
  waiting_mean: number | null;
  swapped_peak: number | null;
  kv_usage_peak: number | null;
  kv_usage_cpu_peak: number | null;
  preemptions: number | null;
  ttft_ms: PercentilesMs;
  /** Bounds of the histogram bucket that holds the TTFT median (upper null = +Inf): its true resolution. */
  ttft_p50_bucket_ms: [number, number | null] | null;
  itl_ms: PercentilesMs;
  e2e_ms: PercentilesMs;
  /** Δaccepted / Δdraft tokens when speculative decoding is on. */
  spec_decode_acceptance_rate: number | null;
  /** Scrape-to-scrape steps where some counter went down (server restart); deltas restart at the new value. */
  counter_resets: number;
  scrapes: number;
  failed_scrapes: number;
};

type OkScrape = Extract<Scrape, { ok: true }>;
type CounterField = (s: CanonicalSnapshot) => number | null;

/**
 * Summarises the server side of one level window [startMs, endMs] (run-relative ms).
 *
 * Edges: counters and histograms are differenced from the last successful scrape at or before
 * `startMs` to the first at or after `endMs`, so with a 1 s interval the bracket covers the whole
 * window and overhangs it by less than one interval at each end; rates divide by the bracket span,
 * not the window length. If no scrape precedes the start (or follows the end) the earliest (latest)
 * one is used and the bracket is shorter than the window. Gauges (running, waiting, KV usage) use
 * the scrapes inside the window, or the two bracket scrapes when none falls inside. Every
 * consecutive pair is differenced on its own, so a counter that goes down counts as a reset
 * (delta = new value) and rates never go negative.
 * @example summarizeWindow(scraper.scrapes(), level.startMs, level.endMs).generation_tokens_per_s
 */
export function summarizeWindow(scrapes: readonly Scrape[], startMs: number, endMs: number): ServerLevelSummary {
  const inWindow = (s: Scrape): boolean => s.tMs >= startMs && s.tMs <= endMs;
  const ok = scrapes.filter((s): s is OkScrape => s.ok).sort((a, b) => a.tMs - b.tMs);
  const failed = scrapes.filter((s) => !s.ok && inWindow(s)).length;
  const bracket = findBracket(ok, startMs, endMs);
  const inside = ok.filter(inWindow);
  const gaugeScrapes = inside.length > 0 ? inside : bracket;
  const resets = new Set<number>();
  const delta = (f: CounterField): number | null => counterDelta(bracket, f, resets);
  const first = bracket[0];
  const last = bracket[bracket.length - 1];
  const spanS = first !== undefined && last !== undefined && bracket.length >= 2 ? (last.tMs - first.tMs) / 1000 : 0;
  const rate = (d: number | null): number | null => (d === null || spanS <= 0 ? null : d / spanS);
  const ratio = (num: number | null, den: number | null): number | null =>
    num === null || den === null || den <= 0 ? null : Math.min(1, Math.max(0, num / den));
  const ttft = histDelta(bracket, (s) => s.ttftHist, resets);
  const ttftP50 = ttft === null ? null : histogramQuantile(0.5, ttft);
  const gauge = (f: CounterField): number[] => gaugeScrapes.map((s) => f(s.snapshot)).filter((v): v is number => v !== null);
  return {
    dialect: (last ?? ok[ok.length - 1])?.snapshot.dialect ?? null,
    bracket_start_ms: bracket.length >= 2 && first !== undefined ? first.tMs : null,
    bracket_end_ms: bracket.length >= 2 && last !== undefined ? last.tMs : null,
    prefix_cache_hit_rate: ratio(
      delta((s) => s.prefixHitsTotal),
      delta((s) => s.prefixQueriesTotal),
    ),
    prompt_tokens_per_s: rate(delta((s) => s.promptTokensTotal)),
    generation_tokens_per_s: rate(delta((s) => s.generationTokensTotal)),
    prompt_tokens: delta((s) => s.promptTokensTotal),
    generation_tokens: delta((s) => s.generationTokensTotal),
    counters_lag: (last ?? ok[ok.length - 1])?.snapshot.countersLag ?? false,
    running_peak: peak(gauge((s) => s.running)),
    running_mean: mean(gauge((s) => s.running)),
    waiting_peak: peak(gauge((s) => s.waiting)),
    waiting_mean: mean(gauge((s) => s.waiting)),
    swapped_peak: peak(gauge((s) => s.swapped)),
    kv_usage_peak: peak(gauge((s) => s.kvUsageGpu)),
    kv_usage_cpu_peak: peak(gauge((s) => s.kvUsageCpu)),
    preemptions: delta((s) => s.preemptionsTotal),
    ttft_ms: percentilesMs(ttft),
    ttft_p50_bucket_ms: ttftP50 === null ? null : [ttftP50.lowerBound * 1000, Number.isFinite(ttftP50.upperBound) ? ttftP50.upperBound * 1000 : null],
    itl_ms: percentilesMs(histDelta(bracket, (s) => s.itlHist, resets)),
    e2e_ms: percentilesMs(histDelta(bracket, (s) => s.e2eHist, resets)),
    spec_decode_acceptance_rate: ratio(
      delta((s) => s.specDecode?.acceptedTokensTotal ?? null),
      delta((s) => s.specDecode?.draftTokensTotal ?? null),
    ),
    counter_resets: resets.size,
    scrapes: inside.length,
    failed_scrapes: failed,
  };
}

/** The successful scrapes from the start edge to the end edge, inclusive. */
function findBracket(ok: readonly OkScrape[], startMs: number, endMs: number): OkScrape[] {
  if (ok.length === 0) return [];
  let from = -1;
  for (let i = 0; i < ok.length; i += 1) if ((ok[i] as OkScrape).tMs <= startMs) from = i;
  if (from === -1) from = 0;
  let to = ok.findIndex((s) => s.tMs >= endMs);
  if (to === -1) to = ok.length - 1;
  if (to <= from) return [];
  return ok.slice(from, to + 1);
}

function counterDelta(bracket: readonly OkScrape[], f: CounterField, resets: Set<number>): number | null {
  let total: number | null = null;
  for (let i = 1; i < bracket.length; i += 1) {
    const prev = f((bracket[i - 1] as OkScrape).snapshot);
    const cur = f((bracket[i] as OkScrape).snapshot);
    if (prev === null || cur === null) continue;
    let d = cur - prev;
    if (d < 0) {
      d = cur;
      resets.add(i);
    }
    total = (total ?? 0) + d;
  }
  return total;
}

function histDelta(bracket: readonly OkScrape[], f: (s: CanonicalSnapshot) => Histogram | null, resets: Set<number>): Histogram | null {
  const parts: Histogram[] = [];
  for (let i = 1; i < bracket.length; i += 1) {
    const prev = f((bracket[i - 1] as OkScrape).snapshot);
    const cur = f((bracket[i] as OkScrape).snapshot);
    if (prev === null || cur === null) continue;
    if (histogramWasReset(prev, cur)) resets.add(i);
    parts.push(histogramDelta(prev, cur));
  }
  return mergeHistograms(parts);
}

function percentilesMs(h: Histogram | null): PercentilesMs {
  const at = (q: number): number | null => {
    const est = h === null ? null : histogramQuantile(q, h);
    return est === null ? null : est.value * 1000;
  };
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

function peak(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}
