// Owns `servebench compare A B`: pairs two runs' levels by load, computes the absolute and
// relative change of each headline metric, and a bootstrap interval from the per-request
// records where both runs have them, so a change inside the noise is called that.

import { deriveRequestMetrics, type RequestMetrics } from "../metrics/derive.js";
import type { LevelSummary } from "../metrics/level.js";
import { BenchError } from "../errors.js";
import { loadText } from "./analysis.js";
import { bootstrapChange, groupedSample, type ChangeInterval, type Statistic } from "./bootstrap.js";
import { operatingPoints, perGpuFront } from "./cross-charts.js";
import { discoverRuns, type DiscoveredRun } from "./discover.js";
import { forEachRequestRecord } from "./record-reader.js";

export const DEFAULT_COMPARE_METRICS = [
  "output_tokens_per_s", "request_per_s", "ttft_ms.p50", "ttft_ms.p99", "tpot_ms.p50", "tpot_ms.p99",
  "itl_ms.p50", "itl_ms.p99", "e2e_ms.p50", "e2e_ms.p99", "error_rate",
];
const TOP_LEVEL = ["request_per_s", "input_tokens_per_s", "output_tokens_per_s", "total_tokens_per_s", "duration_s", "error_rate", "goodput.request_per_s", "goodput.fraction", "cost.usd_per_million_output_tokens", "cost.usd_per_million_input_tokens"];
const DISTRIBUTIONS = ["ttft_ms", "ttfc_ms", "tpot_ms", "itl_ms", "e2e_ms", "send_delay_ms", "decode_tokens_per_s", "prefill_tokens_per_s", "input_tokens", "output_tokens"];
const PER_REQUEST: Record<string, (m: RequestMetrics) => ArrayLike<number>> = {
  ttft_ms: (m) => (m.ttftMs === undefined ? [] : [m.ttftMs]),
  ttfc_ms: (m) => (m.ttfcMs === undefined ? [] : [m.ttfcMs]),
  tpot_ms: (m) => (m.tpotMs === undefined ? [] : [m.tpotMs]),
  itl_ms: (m) => m.itlMs,
  e2e_ms: (m) => [m.e2eMs],
  decode_tokens_per_s: (m) => (m.decodeTokensPerS === undefined ? [] : [m.decodeTokensPerS]),
  prefill_tokens_per_s: (m) => (m.prefillTokensPerS === undefined ? [] : [m.prefillTokensPerS]),
};

export function isCompareMetric(id: string): boolean {
  if (TOP_LEVEL.includes(id) || /^server\.[a-z_]+$/.test(id)) return true;
  const [dist, stat, extra] = id.split(".");
  return extra === undefined && DISTRIBUTIONS.includes(dist ?? "") && /^(mean|median|std|min|max|count|p\d+(\.\d+)?)$/.test(stat ?? "");
}

export function metricValue(l: LevelSummary, id: string): number | undefined {
  if (id === "error_rate") return l.requests.sent > 0 ? l.requests.errored / l.requests.sent : undefined;
  if (id === "goodput.request_per_s") return l.goodput?.request_per_s;
  if (id === "goodput.fraction") return l.goodput?.fraction;
  if (id === "cost.usd_per_million_output_tokens") return l.cost?.usd_per_million_output_tokens ?? undefined;
  if (id === "cost.usd_per_million_input_tokens") return l.cost?.usd_per_million_input_tokens ?? undefined;
  if (id.startsWith("server.")) {
    const v = l.server?.[id.slice(7)];
    return typeof v === "number" ? v : undefined;
  }
  const [dist, stat] = id.split(".");
  if (stat === undefined) {
    const v = (l as unknown as Record<string, unknown>)[id];
    return typeof v === "number" ? v : undefined;
  }
  const d = (l as unknown as Record<string, Record<string, unknown> | undefined>)[dist ?? ""];
  // Only a number is a value: a missing or null statistic is "no data", never a −100 % change.
  const v = d?.[stat === "median" ? "median" : stat];
  return typeof v === "number" ? v : undefined;
}

export interface MetricChange {
  metric: string;
  a: number | undefined;
  b: number | undefined;
  delta: number | undefined;
  relative: number | undefined;
  ci: ChangeInterval | null;
  /** True when the interval contains no change; null without an interval. */
  withinNoise: boolean | null;
}

export interface LevelComparison {
  load: string;
  changes: MetricChange[];
}

export interface Comparison {
  a: DiscoveredRun;
  b: DiscoveredRun;
  levels: LevelComparison[];
  /** Loads present in only one run. */
  unmatched: string[];
  confidence: number;
  /** Levels of A and B no other level beats on both output tokens/s per GPU and per user. */
  pareto: Array<{ label: string; per_gpu_tokens_per_s: number; per_user_tokens_per_s: number }>;
}

type Samples = Map<number, Map<string, Array<ArrayLike<number>>>>;

async function collectSamples(run: DiscoveredRun, metrics: readonly string[]): Promise<Samples | null> {
  if (!run.requestsPath) return null;
  const dists = [...new Set(metrics.map((m) => m.split(".")[0] ?? ""))].filter((d) => PER_REQUEST[d] !== undefined);
  if (dists.length === 0) return null;
  const samples: Samples = new Map();
  await forEachRequestRecord(run.requestsPath, (r) => {
    if (r.warmup || r.outcome !== "ok") return;
    const m = deriveRequestMetrics(r);
    let perLevel = samples.get(r.level);
    if (!perLevel) samples.set(r.level, (perLevel = new Map()));
    for (const d of dists) {
      let list = perLevel.get(d);
      if (!list) perLevel.set(d, (list = []));
      list.push((PER_REQUEST[d] as (m: RequestMetrics) => ArrayLike<number>)(m));
    }
  });
  return samples;
}

function single(path: string, which: string): DiscoveredRun {
  const runs = discoverRuns([path]);
  if (runs.length !== 1) {
    const cells = runs.slice(0, 5).map((r) => r.relDir).join(", ");
    throw new BenchError("E_BAD_FLAG", `${which} ${path}: holds ${runs.length} runs (${cells}${runs.length > 5 ? ", ..." : ""}); pass one run or cell directory`, { where: path });
  }
  return runs[0] as DiscoveredRun;
}

/**
 * Compares run (or cell) B against A, level by level.
 * @example const c = await compareRuns({ a: "results/before", b: "results/after" });
 */
export async function compareRuns(options: { a: string; b: string; metrics?: readonly string[]; seed?: number; resamples?: number; confidence?: number }): Promise<Comparison> {
  const metrics = options.metrics ?? DEFAULT_COMPARE_METRICS;
  for (const m of metrics) if (!isCompareMetric(m)) throw new BenchError("E_BAD_FLAG", `--metric: unknown metric "${m}"`, { where: "--metric" });
  const a = single(options.a, "A:");
  const b = single(options.b, "B:");
  if (a.label === b.label) {
    a.label = `A: ${a.label}`;
    b.label = `B: ${b.label}`;
  }
  const [sa, sb] = [await collectSamples(a, metrics), await collectSamples(b, metrics)];
  const confidence = options.confidence ?? 0.95;
  const key = (l: LevelSummary): string => JSON.stringify(l.load);
  const levels: LevelComparison[] = [];
  for (const la of a.summary.levels) {
    const lb = b.summary.levels.find((l) => key(l) === key(la));
    if (!lb) continue;
    const changes = metrics.map((metric): MetricChange => {
      const va = metricValue(la, metric);
      const vb = metricValue(lb, metric);
      const delta = va !== undefined && vb !== undefined ? vb - va : undefined;
      const relative = va !== undefined && vb !== undefined && va !== 0 ? vb / va - 1 : undefined;
      const [dist = "", stat = ""] = metric.split(".");
      const groupsA = sa?.get(la.level)?.get(dist);
      const groupsB = sb?.get(lb.level)?.get(dist);
      const statistic: Statistic | null = stat === "mean" ? "mean" : stat === "median" ? "p50" : /^p\d+(\.\d+)?$/.test(stat) ? (stat as Statistic) : null;
      const ci = groupsA && groupsB && statistic ? bootstrapChange(groupedSample(groupsA), groupedSample(groupsB), statistic, { seed: options.seed ?? 0, resamples: options.resamples ?? 1000, confidence }) : null;
      return { metric, a: va, b: vb, delta, relative, ci, withinNoise: ci ? ci.low <= 0 && ci.high >= 0 : null };
    });
    levels.push({ load: loadText(la), changes });
  }
  const unmatched = [
    ...a.summary.levels.filter((la) => !b.summary.levels.some((lb) => key(lb) === key(la))).map((l) => `${loadText(l)} only in A`),
    ...b.summary.levels.filter((lb) => !a.summary.levels.some((la) => key(la) === key(lb))).map((l) => `${loadText(l)} only in B`),
  ];
  if (levels.length === 0) throw new BenchError("E_BAD_FLAG", `compare: A and B share no load level (${unmatched.join(", ")})`, { where: options.b });
  const pareto = perGpuFront(operatingPoints([a, b])).map((p) => ({ label: p.label, per_gpu_tokens_per_s: p.perGpu, per_user_tokens_per_s: p.perUser }));
  return { a, b, levels, unmatched, confidence, pareto };
}
