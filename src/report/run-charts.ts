// Owns which charts describe one run: throughput and latency vs load, latency CDFs per level,
// client and server time series with level boundaries marked, and errors by code.
// Pure: summaries and digests in, chart specs out (rendered by chart/render.ts).

import type { FlatDistribution, LevelSummary } from "../metrics/level.js";
import { loadText, loadValue } from "./analysis.js";
import type { ChartSpec, XMarker, XYSeries } from "./chart/render.js";
import type { DiscoveredRun } from "./discover.js";
import { slug } from "./escape.js";
import { DIGEST_METRICS, type RunDigest } from "./request-digest.js";
import { prefixHitRatePoints, type TelemetrySeries } from "./telemetry-series.js";

export interface ChartEntry {
  /** File stem of charts/<name>.png and the SVG element id. */
  name: string;
  spec: ChartSpec;
}

const METRIC_TITLES: Record<string, string> = { ttft_ms: "TTFT", tpot_ms: "TPOT", itl_ms: "ITL", e2e_ms: "E2E" };

function sortedLevels(run: DiscoveredRun): LevelSummary[] {
  return [...run.summary.levels].filter((l) => l.requests.completed > 0).sort((a, b) => loadValue(a) - loadValue(b));
}

export function loadAxis(levels: readonly LevelSummary[]): { label: string; log: boolean } {
  const rate = levels.some((l) => l.load.kind === "rate");
  const values = levels.map(loadValue).filter((v) => v > 0);
  const log = values.length > 1 && Math.max(...values) / Math.min(...values) >= 10;
  return { label: rate ? "request rate (req/s)" : "concurrency", log };
}

function sweepCharts(run: DiscoveredRun, prefix: string): ChartEntry[] {
  const levels = sortedLevels(run);
  if (levels.length < 2) return [];
  const axis = loadAxis(levels);
  const charts: ChartEntry[] = [];
  // Output tokens only: prompt tokens (often 10–100× more) would flatten the curve that matters.
  const tput: XYSeries[] = [{ name: "output tokens/s", points: levels.map((l) => [loadValue(l), l.output_tokens_per_s]), style: "line+points" }];
  charts.push({ name: `${prefix}-throughput`, spec: { kind: "xy", id: `${prefix}-throughput`, title: `Output throughput vs load: ${run.label}`, xLabel: axis.label, yLabel: "output tokens/s", xLog: axis.log, series: tput } });
  const goodput = levels.filter((l) => l.goodput);
  charts.push({
    name: `${prefix}-requests`,
    spec: {
      kind: "xy", id: `${prefix}-requests`, title: `Requests/s vs load: ${run.label}`, xLabel: axis.label, yLabel: "requests/s", xLog: axis.log,
      series: [
        { name: "completed req/s", points: levels.map((l) => [loadValue(l), l.request_per_s]), style: "line+points" },
        ...(goodput.length > 0 ? [{ name: "goodput req/s", points: goodput.map((l): [number, number] => [loadValue(l), l.goodput?.request_per_s ?? 0]), style: "line+points" as const, dashed: true }] : []),
      ],
    },
  });
  for (const metric of DIGEST_METRICS) {
    const series: XYSeries[] = (["p50", "p90", "p99"] as const).map((p) => ({
      name: p,
      points: levels.filter((l) => l[metric] !== undefined).map((l) => [loadValue(l), (l[metric] as FlatDistribution)[p] ?? NaN] as const),
      style: "line+points",
    }));
    if (series.every((s) => s.points.length === 0)) continue;
    charts.push({ name: `${prefix}-${metric}-vs-load`, spec: { kind: "xy", id: `${prefix}-${metric}-vs-load`, title: `${METRIC_TITLES[metric]} vs load: ${run.label}`, xLabel: axis.label, yLabel: `${METRIC_TITLES[metric]} (ms)`, xLog: axis.log, series } });
  }
  return charts;
}

function cdfCharts(run: DiscoveredRun, digest: RunDigest, prefix: string): ChartEntry[] {
  const levels = sortedLevels(run);
  const charts: ChartEntry[] = [];
  for (const metric of DIGEST_METRICS) {
    const series: XYSeries[] = [];
    for (const l of levels) {
      const h = digest.levels.get(l.level)?.histograms[metric];
      if (h && h.count > 0) series.push({ name: loadText(l), points: h.cdf(), style: "step" });
    }
    if (series.length === 0) continue;
    charts.push({ name: `${prefix}-${metric}-cdf`, spec: { kind: "xy", id: `${prefix}-${metric}-cdf`, title: `${METRIC_TITLES[metric]} distribution (CDF) per level: ${run.label}`, xLabel: `${METRIC_TITLES[metric]} (ms, log scale)`, yLabel: "fraction of requests ≤ x", xLog: true, yMax: 1, series } });
  }
  return charts;
}

function levelMarkers(run: DiscoveredRun, digest: RunDigest | null): XMarker[] {
  if (!digest) return [];
  return sortedLevels(run).flatMap((l) => {
    const d = digest.levels.get(l.level);
    return d && Number.isFinite(d.startMs) ? [{ x: d.startMs / 1000, label: loadText(l) }] : [];
  });
}

const toSeconds = (points: Array<[number, number]>, scale = 1): Array<[number, number]> => points.map(([t, v]) => [t / 1000, v * scale]);

function timeSeriesCharts(run: DiscoveredRun, digest: RunDigest | null, telemetry: TelemetrySeries | null, prefix: string): ChartEntry[] {
  const markers = levelMarkers(run, digest);
  const charts: ChartEntry[] = [];
  const tput: XYSeries[] = [];
  if (digest && digest.records > 0) tput.push({ name: "client: output tokens/s", points: toSeconds(digest.outputTokens.points(true)) });
  if (telemetry && telemetry.scrapes > 1) tput.push({ name: "server: generation tokens/s", points: toSeconds(telemetry.generationTokens.points(true)), dashed: true });
  const common = { kind: "xy" as const, xLabel: "time since run start (s)", markers };
  if (tput.length > 0) charts.push({ name: `${prefix}-throughput-time`, spec: { ...common, id: `${prefix}-throughput-time`, title: `Throughput over time: ${run.label}`, yLabel: "tokens/s", series: tput } });
  if (!telemetry || telemetry.scrapes === 0) return charts;
  const queue: XYSeries[] = [
    { name: "running", points: toSeconds(telemetry.running.points()) },
    { name: "waiting", points: toSeconds(telemetry.waiting.points()) },
  ];
  if (queue.some((s) => s.points.length > 0)) charts.push({ name: `${prefix}-queue-time`, spec: { ...common, id: `${prefix}-queue-time`, title: `Server requests running / waiting: ${run.label}`, yLabel: "requests (peak per bin)", series: queue } });
  const kv = toSeconds(telemetry.kvUsage.points(), 100);
  if (kv.length > 0) charts.push({ name: `${prefix}-kv-time`, spec: { ...common, id: `${prefix}-kv-time`, title: `KV-cache usage: ${run.label}`, yLabel: "KV cache used (%)", series: [{ name: "GPU KV usage", points: kv }] } });
  const hit = toSeconds(prefixHitRatePoints(telemetry), 100);
  if (hit.length > 0) charts.push({ name: `${prefix}-prefix-time`, spec: { ...common, id: `${prefix}-prefix-time`, title: `Prefix-cache hit rate: ${run.label}`, yLabel: "hit rate (%)", yMax: 100, series: [{ name: "prefix hit rate", points: hit }] } });
  return charts;
}

function errorChart(run: DiscoveredRun, prefix: string): ChartEntry[] {
  const levels = [...run.summary.levels].sort((a, b) => loadValue(a) - loadValue(b));
  const codes = [...new Set(levels.flatMap((l) => Object.keys(l.errors_by_code)))].sort();
  if (codes.length === 0) return [];
  return [{
    name: `${prefix}-errors`,
    spec: { kind: "bar", id: `${prefix}-errors`, title: `Errors by code: ${run.label}`, yLabel: "failed requests", categories: codes, groups: levels.map((l) => ({ name: loadText(l), values: codes.map((c) => l.errors_by_code[c] ?? null) })) },
  }];
}

/** Every chart for one run, in reading order. `index` keeps names unique when labels collide. */
export function runCharts(run: DiscoveredRun, index: number, digest: RunDigest | null, telemetry: TelemetrySeries | null): ChartEntry[] {
  const prefix = `run${index + 1}-${slug(run.label)}`;
  return [
    ...sweepCharts(run, prefix),
    ...(digest ? cdfCharts(run, digest, prefix) : []),
    ...timeSeriesCharts(run, digest, telemetry, prefix),
    ...errorChart(run, prefix),
  ];
}
