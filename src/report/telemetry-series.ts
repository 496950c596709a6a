// Owns the server time series for the report, streamed from metrics.jsonl: running and waiting
// requests, KV-cache usage (peaks kept when binned), prefix-cache hit rate and server generation
// throughput from counter deltas (a counter that goes down is a restart: the delta restarts).

import { forEachJsonLine } from "./jsonl-lines.js";
import { TimeBins } from "./time-bins.js";

export interface TelemetrySeries {
  running: TimeBins;
  waiting: TimeBins;
  kvUsage: TimeBins;
  prefixHits: TimeBins;
  prefixQueries: TimeBins;
  generationTokens: TimeBins;
  scrapes: number;
  failedScrapes: number;
}

interface CanonicalLine {
  t_ms?: unknown;
  ok?: unknown;
  canonical?: Record<string, unknown>;
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Per-scrape counter delta with reset handling; null before the first value. */
function deltaTracker(): (value: number | null) => number | null {
  let previous: number | null = null;
  return (value) => {
    if (value === null) return null;
    const d = previous === null ? null : value >= previous ? value - previous : value;
    previous = value;
    return d;
  };
}

export async function readTelemetry(path: string): Promise<TelemetrySeries> {
  const series: TelemetrySeries = {
    running: new TimeBins("max", 1000, 800),
    waiting: new TimeBins("max", 1000, 800),
    kvUsage: new TimeBins("max", 1000, 800),
    prefixHits: new TimeBins("sum", 1000, 800),
    prefixQueries: new TimeBins("sum", 1000, 800),
    generationTokens: new TimeBins("sum", 1000, 800),
    scrapes: 0,
    failedScrapes: 0,
  };
  const hits = deltaTracker();
  const queries = deltaTracker();
  const generated = deltaTracker();
  await forEachJsonLine(path, (value) => {
    const line = value as CanonicalLine;
    const t = num(line?.t_ms);
    if (t === null) return;
    if (line.ok !== true || !line.canonical) {
      series.failedScrapes++;
      return;
    }
    series.scrapes++;
    const c = line.canonical;
    const add = (bins: TimeBins, v: number | null): void => {
      if (v !== null) bins.add(t, v);
    };
    add(series.running, num(c.running));
    add(series.waiting, num(c.waiting));
    add(series.kvUsage, num(c.kv_usage_gpu));
    add(series.prefixHits, hits(num(c.prefix_hits_total)));
    add(series.prefixQueries, queries(num(c.prefix_queries_total)));
    add(series.generationTokens, generated(num(c.generation_tokens_total)));
  });
  return series;
}

/** Prefix-cache hit rate per bin (Δhits / Δqueries), skipping bins without queries. */
export function prefixHitRatePoints(series: TelemetrySeries): Array<[number, number]> {
  const hits = new Map(series.prefixHits.points());
  const out: Array<[number, number]> = [];
  for (const [t, q] of series.prefixQueries.points()) {
    const h = hits.get(t);
    if (q > 0 && h !== undefined) out.push([t, Math.min(1, h / q)]);
  }
  return out;
}
