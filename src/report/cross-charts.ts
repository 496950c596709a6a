// Owns the x/y charts across runs or plan cells: the throughput–latency trade-off with its Pareto
// front, throughput vs load per run, per-GPU against per-user throughput. Seed 003's bars per
// section live in matrix-charts.ts. Pure: runs in, chart specs out.

import { loadText, loadValue, paretoFront } from "./analysis.js";
import type { XYSeries } from "./chart/render.js";
import type { DiscoveredRun } from "./discover.js";
import { loadAxis, type ChartEntry } from "./run-charts.js";

interface TradePoint {
  latencyMs: number;
  throughput: number;
  label: string;
}

export function paretoChart(runs: readonly DiscoveredRun[]): ChartEntry | null {
  const multiLevel = runs.some((r) => r.summary.levels.length > 1);
  const points: TradePoint[] = runs.flatMap((r) =>
    r.summary.levels
      .filter((l) => l.e2e_ms !== undefined && l.requests.completed > 0)
      .map((l) => ({ latencyMs: l.e2e_ms?.median ?? NaN, throughput: l.output_tokens_per_s, label: runs.length > 1 && multiLevel ? `${r.label} @ ${loadText(l)}` : runs.length > 1 ? r.label : loadText(l) })),
  );
  if (points.length < 2) return null;
  const front = paretoFront(points);
  const series: XYSeries[] = [
    { name: "all runs and levels", points: points.map((p) => [p.latencyMs, p.throughput]), labels: points.map((p) => p.label), style: "points", color: "#9aa7b8", showLabels: points.length <= 6 },
    // The front's points are among those: labelled once, by whichever series labels them.
    { name: "Pareto front", points: front.map((p) => [p.latencyMs, p.throughput]), labels: front.map((p) => p.label), style: "line+points", color: "#e15759", showLabels: points.length > 6 && front.length <= 12 },
  ];
  return { name: "pareto", spec: { kind: "xy", id: "pareto", title: "Throughput–latency trade-off (Pareto front)", xLabel: "p50 E2E latency (ms)", yLabel: "output tokens/s", series } };
}

export function throughputAcrossRuns(runs: readonly DiscoveredRun[]): ChartEntry | null {
  const swept = runs.filter((r) => r.summary.levels.length > 1);
  if (swept.length < 2) return null;
  const levels = swept.flatMap((r) => r.summary.levels);
  const axis = loadAxis(levels);
  const series: XYSeries[] = swept.map((r) => ({
    name: r.label,
    points: [...r.summary.levels].sort((a, b) => loadValue(a) - loadValue(b)).map((l) => [loadValue(l), l.output_tokens_per_s]),
    style: "line+points",
  }));
  return { name: "throughput-by-run", spec: { kind: "xy", id: "throughput-by-run", title: "Output throughput vs load, per run", xLabel: axis.label, yLabel: "output tokens/s", xLog: axis.log, series } };
}

/** A level as a serving operating point: what each GPU delivers against what each user sees. */
export interface OperatingPoint {
  label: string;
  /** Output tokens/s per GPU: output_tokens_per_s / GPUs (cost.gpus, else the simulator's tp × pp, else 1). */
  perGpu: number;
  /** Output tokens/s one user sees: the mean of 1000 / TPOT over the level's requests (decode_tokens_per_s). */
  perUser: number;
  ttftP90Ms: number | undefined;
}

function gpusOf(run: DiscoveredRun, l: { cost?: { gpus: number } }): number {
  if (l.cost !== undefined) return l.cost.gpus;
  const sim = run.summary.run.simulator as { tp?: number; pp?: number } | undefined;
  return (sim?.tp ?? 1) * (sim?.pp ?? 1);
}

/** Every level of every run with a per-user and a per-GPU figure. */
export function operatingPoints(runs: readonly DiscoveredRun[]): OperatingPoint[] {
  const many = runs.length > 1;
  return runs.flatMap((r) =>
    r.summary.levels
      .filter((l) => l.requests.completed > 0 && l.decode_tokens_per_s !== undefined)
      .map((l) => ({
        label: many ? `${r.label} @ ${loadText(l)}` : loadText(l),
        perGpu: l.output_tokens_per_s / gpusOf(r, l),
        perUser: l.decode_tokens_per_s?.mean ?? Number.NaN,
        ttftP90Ms: l.ttft_ms?.["p90"],
      })),
  );
}

/** The points no other beats on both per-GPU throughput and per-user speed, by per-user speed. */
export function perGpuFront(points: readonly OperatingPoint[]): OperatingPoint[] {
  // paretoFront keeps low latency and high throughput: a faster user is a lower −perUser.
  return paretoFront(points.map((p) => ({ ...p, latencyMs: -p.perUser, throughput: p.perGpu }))).reverse();
}

/**
 * Throughput per GPU against tokens/s per user (the serving trade-off of every sweep: more users
 * per GPU, slower each), with its Pareto front; and the same against TTFT p90.
 */
export function perGpuParetoCharts(runs: readonly DiscoveredRun[]): ChartEntry[] {
  const points = operatingPoints(runs);
  if (points.length < 2) return [];
  const front = perGpuFront(points);
  const out: ChartEntry[] = [
    {
      name: "pareto-per-gpu",
      spec: {
        kind: "xy", id: "pareto-per-gpu", title: "Per-GPU throughput vs per-user speed (Pareto front)", xLabel: "output tokens/s per user", yLabel: "output tokens/s per GPU",
        series: [
          { name: "levels", points: points.map((p) => [p.perUser, p.perGpu]), labels: points.map((p) => p.label), style: "points", color: "#9aa7b8", showLabels: points.length <= 6 },
          { name: "Pareto front", points: front.map((p) => [p.perUser, p.perGpu]), labels: front.map((p) => p.label), style: "line+points", color: "#e15759", showLabels: points.length > 6 && front.length <= 12 },
        ],
      },
    },
  ];
  const timed = points.filter((p) => p.ttftP90Ms !== undefined);
  if (timed.length >= 2) {
    const ttftFront = paretoFront(timed.map((p) => ({ ...p, latencyMs: p.ttftP90Ms as number, throughput: p.perGpu })));
    out.push({
      name: "pareto-ttft",
      spec: {
        kind: "xy", id: "pareto-ttft", title: "Per-GPU throughput vs TTFT p90 (Pareto front)", xLabel: "TTFT p90 (ms)", yLabel: "output tokens/s per GPU",
        series: [
          { name: "levels", points: timed.map((p) => [p.ttftP90Ms as number, p.perGpu]), labels: timed.map((p) => p.label), style: "points", color: "#9aa7b8", showLabels: timed.length <= 6 },
          { name: "Pareto front", points: ttftFront.map((p) => [p.latencyMs, p.throughput]), labels: ttftFront.map((p) => p.label), style: "line+points", color: "#e15759", showLabels: timed.length > 6 && ttftFront.length <= 12 },
        ],
      },
    });
  }
  return out;
}
