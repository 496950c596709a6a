// Owns turning one scrape's raw samples into the canonical snapshot every engine shares.
// Pure: no I/O, no clocks. Which raw name fed which field is kept in `sources`.
// Several label sets (vLLM engines, SGLang dp/tp ranks, model names) are summed for counts and
// counters, and reduced with max for usage ratios (the fullest cache is what limits admission).

import { DIALECT_TABLES, type Dialect, type DialectTable, type ScalarSpec } from "./dialects.js";
import { mergeHistograms, type Histogram } from "./histogram.js";
import type { Sample } from "./prometheus.js";

export type { Dialect } from "./dialects.js";

export interface SpecDecodeTotals {
  /** Null where the engine counts draft tokens but not drafts. */
  draftsTotal: number | null;
  draftTokensTotal: number;
  acceptedTokensTotal: number;
}

/** Values are null when the engine does not expose them. Histograms are in seconds. */
export interface CanonicalSnapshot {
  dialect: Dialect;
  running: number | null;
  waiting: number | null;
  swapped: number | null;
  preemptionsTotal: number | null;
  /** 0..1 */
  kvUsageGpu: number | null;
  /** 0..1 */
  kvUsageCpu: number | null;
  /** In tokens on vLLM and SGLang. */
  prefixQueriesTotal: number | null;
  prefixHitsTotal: number | null;
  promptTokensTotal: number | null;
  generationTokensTotal: number | null;
  ttftHist: Histogram | null;
  itlHist: Histogram | null;
  e2eHist: Histogram | null;
  specDecode?: SpecDecodeTotals;
  /** Token counters grow only as requests end (DialectTable.countersLag). */
  countersLag: boolean;
  /** Raw family behind each non-null field, e.g. `{ kvUsageGpu: "vllm:gpu_cache_usage_perc" }`. */
  sources: Record<string, string>;
}

type SampleIndex = Map<string, Sample[]>;

function indexSamples(samples: readonly Sample[]): SampleIndex {
  const index: SampleIndex = new Map();
  for (const s of samples) {
    const list = index.get(s.name);
    if (list === undefined) index.set(s.name, [s]);
    else list.push(s);
  }
  return index;
}

/** Picks the engine from metric name prefixes; V0 is told apart by families V1 never had. */
export function detectDialect(samples: readonly Sample[]): Dialect {
  let vllm = false;
  let vllmV0 = false;
  for (const { name } of samples) {
    if (name.startsWith("vllm:")) {
      vllm = true;
      if (name === "vllm:num_requests_swapped" || name === "vllm:cpu_cache_usage_perc") vllmV0 = true;
    } else if (name.startsWith("sglang:")) return "sglang";
    else if (name.startsWith("llamacpp:")) return "llamacpp";
    else if (name.startsWith("tgi_")) return "tgi";
  }
  if (vllm) return vllmV0 ? "vllm-v0" : "vllm-v1";
  return "unknown";
}

/**
 * Maps raw samples to the canonical set. Unknown engines yield all-null values (their raw
 * samples are still recorded by the scraper).
 * @example normalize(parsePrometheusText(body).samples).running
 */
export function normalize(samples: readonly Sample[], dialect: Dialect = detectDialect(samples)): CanonicalSnapshot {
  const index = indexSamples(samples);
  const table: DialectTable = DIALECT_TABLES[dialect];
  const sources: Record<string, string> = {};
  const scalar = (field: keyof DialectTable & string, spec: ScalarSpec | undefined): number | null => {
    if (spec === undefined) return null;
    const found = readScalar(index, spec);
    if (found === null) return null;
    sources[field] = found.name;
    return found.value;
  };
  const hist = (field: string, bases: readonly string[] | undefined): Histogram | null => {
    const found = bases === undefined ? null : readHistogram(index, bases);
    if (found === null) return null;
    sources[field] = found.name;
    return found.hist;
  };
  const snapshot: CanonicalSnapshot = {
    dialect,
    running: scalar("running", table.running),
    waiting: scalar("waiting", table.waiting),
    swapped: scalar("swapped", table.swapped),
    preemptionsTotal: scalar("preemptionsTotal", table.preemptionsTotal),
    kvUsageGpu: scalar("kvUsageGpu", table.kvUsageGpu),
    kvUsageCpu: scalar("kvUsageCpu", table.kvUsageCpu),
    prefixQueriesTotal: scalar("prefixQueriesTotal", table.prefixQueriesTotal),
    prefixHitsTotal: scalar("prefixHitsTotal", table.prefixHitsTotal),
    promptTokensTotal: scalar("promptTokensTotal", table.promptTokensTotal),
    generationTokensTotal: scalar("generationTokensTotal", table.generationTokensTotal),
    ttftHist: hist("ttftHist", table.ttftHist),
    itlHist: hist("itlHist", table.itlHist),
    e2eHist: hist("e2eHist", table.e2eHist),
    countersLag: table.countersLag === true,
    sources,
  };
  const cached = scalar("promptCachedTotal", table.promptCachedTotal);
  if (cached !== null && snapshot.promptTokensTotal !== null) {
    // Canonical prompt tokens include the cached ones, as vLLM and SGLang count them.
    snapshot.promptTokensTotal += cached;
    snapshot.prefixQueriesTotal = snapshot.promptTokensTotal;
    snapshot.prefixHitsTotal = cached;
    sources["prefixHitsTotal"] = sources["promptCachedTotal"] ?? "";
  }
  const draftTokens = scalar("specDraftTokensTotal", table.specDraftTokensTotal);
  const accepted = scalar("specAcceptedTokensTotal", table.specAcceptedTokensTotal);
  if (draftTokens !== null && accepted !== null) {
    snapshot.specDecode = {
      draftsTotal: scalar("specDraftsTotal", table.specDraftsTotal),
      draftTokensTotal: draftTokens,
      acceptedTokensTotal: accepted,
    };
  }
  return snapshot;
}

function readScalar(index: SampleIndex, spec: ScalarSpec): { name: string; value: number } | null {
  for (const name of spec.names) {
    const values = (index.get(name) ?? []).map((s) => s.value).filter(Number.isFinite);
    if (values.length === 0) continue;
    const value = spec.agg === "max" ? Math.max(...values) : values.reduce((a, b) => a + b, 0);
    return { name, value };
  }
  return null;
}

/** Key of a label set without `le`, so a series' buckets, _sum and _count line up. */
function seriesKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .filter((k) => k !== "le")
    .sort()
    .map((k) => `${k}\u0000${labels[k] ?? ""}`)
    .join("\u0001");
}

function readHistogram(index: SampleIndex, bases: readonly string[]): { name: string; hist: Histogram } | null {
  for (const base of bases) {
    const bucketSamples = index.get(`${base}_bucket`);
    if (bucketSamples === undefined || bucketSamples.length === 0) continue;
    const series = new Map<string, Histogram>();
    for (const s of bucketSamples) {
      const leText = s.labels["le"];
      if (leText === undefined) continue;
      const le = leText === "+Inf" || leText === "Inf" ? Infinity : Number(leText);
      if (Number.isNaN(le) || !Number.isFinite(s.value)) continue;
      const key = seriesKey(s.labels);
      const h = series.get(key) ?? { buckets: [], sum: 0, count: Number.NaN };
      h.buckets.push({ le, count: s.value });
      series.set(key, h);
    }
    for (const s of index.get(`${base}_sum`) ?? []) {
      const h = series.get(seriesKey(s.labels));
      if (h !== undefined) h.sum = s.value;
    }
    for (const s of index.get(`${base}_count`) ?? []) {
      const h = series.get(seriesKey(s.labels));
      if (h !== undefined) h.count = s.value;
    }
    for (const h of series.values()) {
      h.buckets.sort((a, b) => a.le - b.le);
      // _count equals the +Inf bucket by definition; fall back to it if _count is missing.
      if (Number.isNaN(h.count)) h.count = h.buckets[h.buckets.length - 1]?.count ?? 0;
    }
    const hist = mergeHistograms([...series.values()]);
    if (hist !== null) return { name: base, hist };
  }
  return null;
}
