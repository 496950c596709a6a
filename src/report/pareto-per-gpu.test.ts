// The serving trade-off: per-GPU throughput against per-user speed, and its Pareto front.
import { describe, expect, it } from "vitest";
import type { FlatDistribution, LevelSummary } from "../metrics/level.js";
import { renderChart } from "./chart/render.js";
import { operatingPoints, paretoChart, perGpuFront, perGpuParetoCharts } from "./cross-charts.js";
import type { DiscoveredRun } from "./discover.js";

const dist = (mean: number): FlatDistribution => ({ count: 10, mean, median: mean, std: 0, min: mean, max: mean, p50: mean, p90: mean, p99: mean });

function level(c: number, outTokS: number, perUser: number, gpus?: number): LevelSummary {
  return {
    level: c, load: { kind: "concurrency", concurrency: c }, requests: { sent: 10, completed: 10, errored: 0, aborted: 0, warmup: 0 }, errors_by_code: {},
    duration_s: 1, request_per_s: 1, input_tokens_per_s: 1, output_tokens_per_s: outTokS, total_tokens_per_s: 1, input_tokens_total: 1, output_tokens_total: 1,
    decode_tokens_per_s: dist(perUser), ttft_ms: dist(1000 / perUser), interrupted: false, warnings: [],
    ...(gpus === undefined ? {} : { cost: { usd_per_gpu_hour: 1, gpus, usd_per_million_output_tokens: 1, usd_per_million_input_tokens: 1 } }),
  };
}
const run = (label: string, levels: LevelSummary[], simulator?: { tp: number; pp: number }): DiscoveredRun =>
  ({ label, summary: { run: { simulator }, levels } }) as unknown as DiscoveredRun;

describe("per-GPU Pareto front", () => {
  it("divides throughput by the GPUs (cost.gpus, else the simulator's tp × pp) and keeps the undominated levels", () => {
    const a = run("A", [level(1, 100, 100), level(8, 700, 90), level(32, 1600, 50), level(64, 1500, 25)]);
    const b = run("B", [level(8, 1200, 80)], { tp: 2, pp: 1 });
    const points = operatingPoints([a, b]);
    expect(points.find((p) => p.label === "B @ c=8")?.perGpu).toBe(600);
    // A @ c=64 (1500/GPU at 25/user) is beaten by A @ c=32 on both; B @ c=8 (600 at 80) by A @ c=8 (700 at 90).
    expect(perGpuFront(points).map((p) => p.label)).toEqual(["A @ c=32", "A @ c=8", "A @ c=1"]);
    expect(operatingPoints([run("C", [level(4, 800, 60, 4)])])[0]?.perGpu).toBe(200);
  });

  it("draws both trade-offs with the front marked", () => {
    const charts = perGpuParetoCharts([run("A", [level(1, 100, 100), level(8, 700, 90)])]);
    expect(charts.map((c) => c.name)).toEqual(["pareto-per-gpu", "pareto-ttft"]);
  });

  it("labels each point once: the front's points are not labelled again over the levels' labels", () => {
    const levels = [level(1, 100, 100), level(8, 700, 90), level(32, 1600, 50)].map((l) => ({ ...l, e2e_ms: dist(1000 / (l.decode_tokens_per_s?.mean ?? 1)) }));
    const charts = [...perGpuParetoCharts([run("A", levels)]), paretoChart([run("A", levels)])];
    expect(charts.length).toBe(3);
    for (const chart of charts) {
      const svg = renderChart((chart as { spec: Parameters<typeof renderChart>[0] }).spec);
      for (const label of ["c=1", "c=8", "c=32"]) expect(svg.match(new RegExp(`>${label}</text>`, "g"))?.length, `${chart?.name} ${label}`).toBe(1);
    }
  });
});

