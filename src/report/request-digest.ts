// Owns the one streaming pass over requests.jsonl that the report needs: per-level latency
// histograms, level time bounds, goodput under the report's SLO, error examples, and client
// throughput over time. Holds aggregates only, never the records (1M-request runs stream).

import type { RequestRecord } from "../client/record.js";
import type { SloTerm } from "../config/units.js";
import { deriveRequestMetrics } from "../metrics/derive.js";
import { meetsSlo } from "../metrics/level.js";
import { LogHistogram } from "./log-histogram.js";
import type { ByteRange } from "./jsonl-lines.js";
import { forEachRequestRecord } from "./record-reader.js";
import { TimeBins } from "./time-bins.js";

export const DIGEST_METRICS = ["ttft_ms", "tpot_ms", "itl_ms", "e2e_ms"] as const;
export type DigestMetric = (typeof DIGEST_METRICS)[number];

export interface LevelDigest {
  level: number;
  /** First scheduled send and last end among measured requests (run-relative ms). */
  startMs: number;
  endMs: number;
  measured: number;
  /** Requests meeting every term of the report's SLO (null without one). */
  good: number | null;
  histograms: Record<DigestMetric, LogHistogram>;
  /** First message seen per error code (server text: escape before showing). */
  errorExamples: Record<string, string>;
}

export interface RunDigest {
  levels: Map<number, LevelDigest>;
  /** Output tokens received per time bin (client view), spread over each request's first..last chunk. */
  outputTokens: TimeBins;
  completions: TimeBins;
  errors: TimeBins;
  records: number;
  malformedLines: number;
}

function newLevel(level: number, slo: readonly SloTerm[] | null): LevelDigest {
  return {
    level,
    startMs: Infinity,
    endMs: -Infinity,
    measured: 0,
    good: slo === null ? null : 0,
    histograms: { ttft_ms: new LogHistogram(), tpot_ms: new LogHistogram(), itl_ms: new LogHistogram(), e2e_ms: new LogHistogram() },
    errorExamples: {},
  };
}

export function digestRecord(digest: RunDigest, record: RequestRecord, slo: readonly SloTerm[] | null): void {
  digest.records++;
  if (record.warmup) return;
  let level = digest.levels.get(record.level);
  if (!level) {
    level = newLevel(record.level, slo);
    digest.levels.set(record.level, level);
  }
  level.measured++;
  if (record.scheduledMs < level.startMs) level.startMs = record.scheduledMs;
  if (record.endMs > level.endMs) level.endMs = record.endMs;
  if (record.outcome === "error") {
    const code = record.error?.code ?? "unknown";
    if (level.errorExamples[code] === undefined) level.errorExamples[code] = (record.error?.message ?? "").slice(0, 300);
    digest.errors.add(record.endMs, 1);
    return;
  }
  if (record.outcome !== "ok") return;
  const m = deriveRequestMetrics(record);
  const h = level.histograms;
  if (m.ttftMs !== undefined) h.ttft_ms.add(m.ttftMs);
  if (m.tpotMs !== undefined) h.tpot_ms.add(m.tpotMs);
  h.e2e_ms.add(m.e2eMs);
  for (const gap of m.itlMs) h.itl_ms.add(gap);
  if (slo !== null && level.good !== null && meetsSlo(slo, m)) level.good++;
  digest.completions.add(record.endMs, 1);
  // Tokens flow evenly from the first to the last chunk (steady decode): per-bin exact enough
  // at ≥ 100 ms bins, and O(bins) per request instead of O(chunks).
  const chunks = record.tokenChunkMs;
  const tokens = m.outputTokens ?? chunks.length;
  const first = chunks[0];
  const last = chunks[chunks.length - 1];
  if (first === undefined || last === undefined) digest.outputTokens.add(record.endMs, tokens);
  else digest.outputTokens.addSpread(first, last, tokens);
}

export function emptyDigest(): RunDigest {
  return { levels: new Map(), outputTokens: new TimeBins("sum"), completions: new TimeBins("sum"), errors: new TimeBins("sum"), records: 0, malformedLines: 0 };
}

/** Streams requests.jsonl (or one byte range of it) into a digest on this thread. */
export async function digestRange(path: string, slo: readonly SloTerm[] | null, range?: ByteRange): Promise<RunDigest> {
  const digest = emptyDigest();
  const stats = await forEachRequestRecord(path, (record) => digestRecord(digest, record, slo), range);
  digest.malformedLines = stats.malformed;
  return digest;
}

/** Adds `from` (the digest of a later part of the same file) into `into`. */
export function mergeDigest(into: RunDigest, from: RunDigest): void {
  for (const [level, d] of from.levels) {
    const mine = into.levels.get(level);
    if (!mine) {
      into.levels.set(level, d);
      continue;
    }
    mine.startMs = Math.min(mine.startMs, d.startMs);
    mine.endMs = Math.max(mine.endMs, d.endMs);
    mine.measured += d.measured;
    if (mine.good !== null && d.good !== null) mine.good += d.good;
    for (const m of DIGEST_METRICS) mine.histograms[m].merge(d.histograms[m]);
    for (const [code, message] of Object.entries(d.errorExamples)) if (mine.errorExamples[code] === undefined) mine.errorExamples[code] = message;
  }
  into.outputTokens.merge(from.outputTokens);
  into.completions.merge(from.completions);
  into.errors.merge(from.errors);
  into.records += from.records;
  into.malformedLines += from.malformedLines;
}

/** Structured-clone-safe form of a digest (class instances become plain data). */
export function digestToData(d: RunDigest): unknown {
  return {
    levels: [...d.levels.values()].map((l) => ({ ...l, histograms: Object.fromEntries(DIGEST_METRICS.map((m) => [m, l.histograms[m].toData()])) })),
    outputTokens: d.outputTokens.toData(), completions: d.completions.toData(), errors: d.errors.toData(),
    records: d.records, malformedLines: d.malformedLines,
  };
}

export function digestFromData(data: unknown): RunDigest {
  type Data = ReturnType<TimeBins["toData"]>;
  type HistData = ReturnType<LogHistogram["toData"]>;
  const x = data as { levels: Array<Omit<LevelDigest, "histograms"> & { histograms: Record<DigestMetric, HistData> }>; outputTokens: Data; completions: Data; errors: Data; records: number; malformedLines: number };
  const levels = new Map<number, LevelDigest>();
  for (const l of x.levels) {
    const histograms = Object.fromEntries(DIGEST_METRICS.map((m) => [m, LogHistogram.fromData(l.histograms[m])])) as Record<DigestMetric, LogHistogram>;
    levels.set(l.level, { ...l, histograms });
  }
  return { levels, outputTokens: TimeBins.fromData(x.outputTokens), completions: TimeBins.fromData(x.completions), errors: TimeBins.fromData(x.errors), records: x.records, malformedLines: x.malformedLines };
}
