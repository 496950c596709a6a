// Owns the on-disk shape of one metrics.jsonl line (snake_case, JSON-safe numbers).
// `_created` samples are left out of `raw`: they are constant creation timestamps and a third of
// a vLLM exposition.

import type { Histogram } from "./histogram.js";
import type { CanonicalSnapshot } from "./normalize.js";
import { sampleKey, type Sample } from "./prometheus.js";
import type { Scrape } from "./scrape.js";

/** JSON has no NaN or Infinity: write them as the exposition spells them. */
function jsonNumber(v: number): number | string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return v;
}

function histJson(h: Histogram | null): unknown {
  if (h === null) return null;
  return { buckets: h.buckets.map((b) => [jsonNumber(b.le), b.count]), sum: h.sum, count: h.count };
}

function canonicalJson(s: CanonicalSnapshot): Record<string, unknown> {
  return {
    running: s.running,
    waiting: s.waiting,
    swapped: s.swapped,
    preemptions_total: s.preemptionsTotal,
    kv_usage_gpu: s.kvUsageGpu,
    kv_usage_cpu: s.kvUsageCpu,
    prefix_queries_total: s.prefixQueriesTotal,
    prefix_hits_total: s.prefixHitsTotal,
    prompt_tokens_total: s.promptTokensTotal,
    generation_tokens_total: s.generationTokensTotal,
    ttft_hist_s: histJson(s.ttftHist),
    itl_hist_s: histJson(s.itlHist),
    e2e_hist_s: histJson(s.e2eHist),
    spec_decode:
      s.specDecode === undefined
        ? null
        : {
            drafts_total: s.specDecode.draftsTotal,
            draft_tokens_total: s.specDecode.draftTokensTotal,
            accepted_tokens_total: s.specDecode.acceptedTokensTotal,
          },
    sources: Object.fromEntries(Object.entries(s.sources).map(([k, v]) => [snakeKey(k), v])),
  };
}

/** `kvUsageGpu` → `kv_usage_gpu`, `ttftHist` → `ttft_hist_s`, matching the keys above. */
function snakeKey(key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake.endsWith("_hist") ? `${snake}_s` : snake;
}

/**
 * One line of metrics.jsonl (newline included): `t_ms` is run-relative, `epoch_ms` a wall-clock
 * label; `raw` maps `name{labels}` to the value for every sample but `_created`.
 */
export function scrapeJsonLine(scrape: Scrape, epochMs: number, samples: readonly Sample[] | null): string {
  const base = { t_ms: round3(scrape.tMs), epoch_ms: Math.round(epochMs), duration_ms: round3(scrape.durationMs) };
  if (!scrape.ok) return `${JSON.stringify({ ...base, ok: false, error: scrape.error })}\n`;
  const raw: Record<string, number | string> = {};
  for (const sample of samples ?? []) {
    if (sample.name.endsWith("_created")) continue;
    raw[sampleKey(sample)] = jsonNumber(sample.value);
  }
  const line = { ...base, ok: true, dialect: scrape.snapshot.dialect, canonical: canonicalJson(scrape.snapshot), raw };
  return `${JSON.stringify(line)}\n`;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
