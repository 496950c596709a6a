// Unit tests for cross-run tables: which dimensions pair cells, seed 003's side-by-side speedups.
import { pairwiseFindings } from "./cross-analysis.js";
import { describe, expect, it } from "vitest";
import type { LevelSummary } from "../metrics/level.js";
import { matchingDimensions, pairwiseTable } from "./cross-tables.js";
import type { DiscoveredRun } from "./discover.js";

function cell(dimensions: Record<string, string>, genTps: number): DiscoveredRun {
  const level = { level: 0, load: { kind: "concurrency", concurrency: 10 }, requests: { sent: 100, completed: 100, errored: 0, aborted: 0, warmup: 0 }, errors_by_code: {}, duration_s: 10, request_per_s: 10, input_tokens_per_s: genTps / 10, output_tokens_per_s: genTps, total_tokens_per_s: genTps * 1.1, input_tokens_total: 0, output_tokens_total: 0, interrupted: false, warnings: [] } as LevelSummary;
  return { dir: "/x", relDir: "x", label: Object.values(dimensions).join(" · "), dimensions, cellId: null, cellIndex: null, planDimensions: null, planName: null, imported: false, summary: { schema: "servebench.summary/v1", servebench_version: "t", run: {} as never, levels: [level] }, env: null, requestsPath: null, metricsPath: null };
}

// Seed 003's plan: GPU preset × parallelism, with include-added tp/pp sizes that follow from `parallel`.
const runs = [
  cell({ gpu: "H100X2", parallel: "pp", tp: "1", pp: "2" }, 449.28),
  cell({ gpu: "H100X2", parallel: "tp", tp: "2", pp: "1" }, 500.43),
  cell({ gpu: "mi210x2", parallel: "pp", tp: "1", pp: "2" }, 425.94),
  cell({ gpu: "mi210x2", parallel: "tp", tp: "2", pp: "1" }, 489.3),
];

describe("pairing cells", () => {
  it("drops dimensions that follow from the compared one", () => {
    expect(matchingDimensions(runs, "parallel")).toEqual(["gpu"]);
    expect(matchingDimensions(runs, "gpu")).toEqual(["parallel"]);
  });

  it("pairs 2-GPU cells even when 1-GPU presets give tp = pp = 1 to both parallel values", () => {
    const withSingles = [
      ...runs,
      cell({ gpu: "H100X1", parallel: "pp", tp: "1", pp: "1" }, 564.79),
      cell({ gpu: "H100X1", parallel: "tp", tp: "1", pp: "1" }, 573.8),
    ];
    expect(matchingDimensions(withSingles, "parallel")).toEqual(["gpu"]);
    const result = pairwiseTable(withSingles, "parallel", "pp", "tp");
    expect(result?.table.rows.map((r) => r[0])).toEqual(["H100X2", "mi210x2", "H100X1"]);
    // H100X1 ran one configuration under both names: shown, but no speedup counted.
    expect(result?.genGains.map((g) => Number((g * 100).toFixed(1)))).toEqual([11.4, 14.9]);
    expect(result?.sameConfiguration).toBe(1);
    expect(result?.table.rows[2]?.slice(-2)).toEqual([null, null]);
    expect(pairwiseFindings(result as NonNullable<typeof result>)[0]).toMatch(/over 2 matched cells \(1 matched pair ran one configuration under both names and is left out\)/);
  });

  it("keeps a dimension that follows from the compared one alone: engines measured on one GPU each are not paired across GPUs", () => {
    const engines = [
      cell({ engine: "Nano-vLLM", hardware: "A100" }, 7660),
      cell({ engine: "vLLM.rs", hardware: "A100" }, 10977),
      cell({ engine: "vLLM (Reference)", hardware: "RTX 4070" }, 1361),
    ];
    expect(matchingDimensions(engines, "engine")).toEqual(["hardware"]);
    expect(pairwiseTable(engines, "engine", "Nano-vLLM", "vLLM (Reference)")?.table.rows ?? []).toEqual([]);
  });

  it("reproduces seed 003's pipeline vs tensor table and its Gen Speedup (%)", () => {
    const result = pairwiseTable(runs, "parallel", "pp", "tp");
    expect(result?.table.columns.map((c) => c.title)).toEqual(["gpu", "pp (Prompt TPS)", "tp (Prompt TPS)", "pp (Gen TPS)", "tp (Gen TPS)", "Prompt Speedup (%)", "Gen Speedup (%)"]);
    expect(result?.genGains.map((g) => Number((g * 100).toFixed(1)))).toEqual([11.4, 14.9]);
  });
});
