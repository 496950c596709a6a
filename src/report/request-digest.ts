// Owns the one streaming pass over requests.jsonl that the report needs: per-level latency
// histograms, level time bounds, goodput under the report's SLO, error examples, and client
// throughput over time. Holds aggregates only, never the records (1M-request runs stream).

import type { RequestRecord } from "../client/record.js";
import type { SloTerm } from "../config/units.js";
import { deriveRequestMetrics } from "../metrics/derive.js";
import { meetsSlo } from "../metrics/level.js";
import { forEachJsonLine } from "./jsonl-lines.js";
import { LogHistogram } from "./log-histogram.js";
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
  /** Output tokens received per time bin (client view), spread over each request's chunks. */
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

function isRecord(value: unknown): value is RequestRecord {
  const r = value as Partial<RequestRecord> | null;
  return !!r && typeof r === "object" && typeof r.level === "number" && typeof r.scheduledMs === "number" && typeof r.endMs === "number" && Array.isArray(r.tokenChunkMs);
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
  const chunks = record.tokenChunkMs;
  const tokens = m.outputTokens ?? chunks.length;
  if (chunks.length === 0) digest.outputTokens.add(record.endMs, tokens);
  else {
    const perChunk = tokens / chunks.length;
    for (const t of chunks) digest.outputTokens.add(t, perChunk);
  }
}

export function emptyDigest(): RunDigest {
  return { levels: new Map(), outputTokens: new TimeBins("sum"), completions: new TimeBins("sum"), errors: new TimeBins("sum"), records: 0, malformedLines: 0 };
}

/**
 * Streams a run's requests.jsonl into a digest.
 * @example const digest = await digestRequests("run/requests.jsonl", parseSlo("ttft_ms<=500", "--slo"));
 */
export async function digestRequests(path: string, slo: readonly SloTerm[] | null): Promise<RunDigest> {
  const digest = emptyDigest();
  const stats = await forEachJsonLine(path, (value) => {
    if (isRecord(value)) digestRecord(digest, value, slo);
    else digest.malformedLines++;
  });
  digest.malformedLines += stats.malformed;
  return digest;
}
