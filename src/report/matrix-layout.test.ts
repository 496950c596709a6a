// Unit tests for the plan layout (seed 003): which dimensions make sections, rows and the
// side-by-side pair, names within a section, the tables and the findings stated once.
import { describe, expect, it } from "vitest";
import type { LevelSummary } from "../metrics/level.js";
import { assignLabels, type DiscoveredRun } from "./discover.js";
import { collectWarnings, dimensionEffects, effectFindings, errorFinding, matrixSentence } from "./matrix-findings.js";
import { buildMatrixLayout, shortValue } from "./matrix-layout.js";
import { attributeTable, sectionObservations, sectionTable, sideTable } from "./matrix-tables.js";

const PLAN_DIMS = ["server", "preset", "model", "ctx", "parallel", "workload", "load"];

function cell(index: number, dimensions: Record<string, string>, genTps: number, errored = 0, planDimensions: string[] | null = PLAN_DIMS): DiscoveredRun {
  const level = {
    level: 0,
    load: { kind: "concurrency", concurrency: 10 },
    requests: { sent: 20, completed: 20 - errored, errored, aborted: 0, warmup: 0 },
    errors_by_code: errored > 0 ? { http_503: errored } : {},
    duration_s: 1,
    request_per_s: 20,
    input_tokens_per_s: genTps / 4,
    output_tokens_per_s: genTps,
    total_tokens_per_s: genTps * 1.25,
    input_tokens_total: 100,
    output_tokens_total: 100,
    e2e_ms: { mean: 330, median: 320 },
    interrupted: false,
    warnings: [],
  } as unknown as LevelSummary;
  return {
    dir: `/plan/cells/${index}`,
    relDir: String(index),
    label: "",
    dimensions,
    cellId: String(index),
    cellIndex: index,
    planDimensions,
    planName: "seed-003",
    imported: false,
    summary: { schema: "servebench.summary/v1", servebench_version: "t", run: {} as never, levels: [level] },
    env: null,
    requestsPath: null,
    metricsPath: null,
  };
}

/** Seed 003: 3 presets × 2 models × 2 ctx × tp/pp, with include-added gpus/tp/pp. */
function seed003(planDimensions: string[] | null = PLAN_DIMS): DiscoveredRun[] {
  const runs: DiscoveredRun[] = [];
  const presets: Array<[string, number, number]> = [
    ["H100X1", 1, 570],
    ["H100X2", 2, 450],
    ["mi210x2", 2, 420],
  ];
  for (const [preset, gpus, base] of presets)
    for (const model of ["meta-llama/Llama-3.2-3B-Instruct", "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B"])
      for (const ctx of ["2048", "8192"])
        for (const parallel of ["tp", "pp"]) {
          const tps = base * (model.includes("32B") ? 0.3 : 1) * (parallel === "tp" && gpus === 2 ? 1.1 : 1) * (ctx === "8192" ? 0.99 : 1);
          const errs = preset === "H100X2" && model.includes("32B") && ctx === "8192" && parallel === "pp" ? 2 : 0;
          const dims = { server: "vllm", preset, model, ctx, parallel, workload: "w", load: "c10", gpus: String(gpus), tp: parallel === "tp" ? String(gpus) : "1", pp: parallel === "pp" ? String(gpus) : "1" };
          runs.push(cell(runs.length, dims, Number(tps.toFixed(2)), errs, planDimensions));
        }
  // Discovery order is alphabetical by directory; the layout must restore plan order.
  const shuffled = [...runs].reverse();
  assignLabels(shuffled);
  return shuffled;
}

describe("plan layout", () => {
  it("sections per model × ctx, presets as rows in plan order, tp vs pp side by side", () => {
    const layout = buildMatrixLayout(seed003());
    expect(layout.dimensions).toEqual(["preset", "model", "ctx", "parallel"]);
    expect(layout.attributes).toEqual(["gpus", "tp", "pp"]);
    expect(layout.side).toEqual({ dimension: "parallel", a: "pp", b: "tp" });
    expect(layout.rowDims).toEqual(["preset"]);
    expect(layout.sectionDims).toEqual(["model", "ctx"]);
    expect(layout.sections.map((s) => s.title)).toEqual([
      "model = meta-llama/Llama-3.2-3B-Instruct · ctx = 2048",
      "model = meta-llama/Llama-3.2-3B-Instruct · ctx = 8192",
      "model = deepseek-ai/DeepSeek-R1-Distill-Qwen-32B · ctx = 2048",
      "model = deepseek-ai/DeepSeek-R1-Distill-Qwen-32B · ctx = 8192",
    ]);
    const first = layout.sections[0];
    expect(first?.rows).toEqual(["H100X1", "H100X2", "mi210x2"]);
    expect(first?.cells.map((c) => c.name)).toEqual(["H100X1 · pp", "H100X1 · tp", "H100X2 · pp", "H100X2 · tp", "mi210x2 · pp", "mi210x2 · tp"]);
  });

  it("names cells by the plan's own dimensions, not the keys its include added", () => {
    const runs = seed003();
    expect(runs.map((r) => r.label)).toContain("H100X2 · meta-llama/Llama-3.2-3B-Instruct · 2048 · tp");
    const unknownPlan = seed003(null);
    expect(unknownPlan.map((r) => r.label)).toContain("H100X2 · meta-llama/Llama-3.2-3B-Instruct · 2048 · tp · 2 · 2 · 1");
    expect(buildMatrixLayout(unknownPlan).attributes).toEqual([]);
  });

  it("builds seed 003's tables: presets as rows, the pair with its speedup, observations", () => {
    const layout = buildMatrixLayout(seed003());
    const section = layout.sections[3];
    if (!section) throw new Error("no section");
    const table = sectionTable(layout, section);
    expect(table.columns.map((c) => c.title)).toEqual(["preset", "parallel", "Prompt TPS", "Gen TPS", "Avg Latency (s)", "Request Generation Level TPS", "Request Prompt Level TPS", "Errors"]);
    expect(table.rows[2]?.slice(0, 4)).toEqual(["H100X2", "pp", 133.65 / 4, 133.65]);
    const side = sideTable(layout, section);
    expect(side?.columns.map((c) => c.title)).toEqual(["preset", "pp (Prompt TPS)", "tp (Prompt TPS)", "pp (Gen TPS)", "tp (Gen TPS)", "Prompt Speedup (%)", "Gen Speedup (%)"]);
    // H100X1's "pp" and "tp" are one server (tp = pp = 1): no speedup is shown for it.
    expect(side?.rows.map((r) => [r[0], r[6] === null ? null : Number(((r[6] as number) * 100).toFixed(1))])).toEqual([
      ["H100X1", null],
      ["H100X2", 10],
      ["mi210x2", 10],
    ]);
    expect(sectionObservations(layout, section)).toEqual([
      "Highest Prompt TPS: H100X1 · pp with 42.32 tokens/s.",
      "Highest Gen TPS: H100X1 · pp with 169.29 tokens/s.",
      "tp vs pp: Gen speedup from +10.0% (H100X2) to +10.0% (mi210x2); tp is faster in 2 of 2 (H100X1: one configuration under both names, left out).",
      "Notable errors on: H100X2 · pp (2 errs).",
    ]);
  });

  it("lists what each cell ran once per preset × parallel", () => {
    const runs = seed003();
    const table = attributeTable(buildMatrixLayout(runs), runs);
    expect(table?.columns.map((c) => c.key)).toEqual(["preset", "parallel", "gpus", "tp", "pp"]);
    expect(table?.rows).toContainEqual(["H100X2", "pp", "2", "1", "2"]);
    expect(table?.rows).toHaveLength(6);
  });

  it("without dimensions, rows are the runs and there is one section", () => {
    const runs = [cell(0, {}, 100, 0, null), cell(1, {}, 200, 0, null)];
    runs[0]!.label = "run-a";
    runs[1]!.label = "run-b";
    const layout = buildMatrixLayout(runs);
    expect(layout.sections.map((s) => [s.title, s.rows])).toEqual([["Results", ["run-a", "run-b"]]]);
    expect(layout.side).toBeNull();
  });

  it("shortens organisation-prefixed names for chart labels only", () => {
    expect(shortValue("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B")).toBe("DeepSeek-R1-Distill-Qwen-1.5B");
    expect(shortValue("H100X1")).toBe("H100X1");
  });
});

describe("findings across cells", () => {
  it("ranks the dimensions by how much Gen TPS moves with the rest fixed", () => {
    const runs = seed003();
    const layout = buildMatrixLayout(runs);
    const effects = dimensionEffects(layout, runs);
    expect(effects.map((e) => e.dimension)).toEqual(["model", "preset", "parallel", "ctx"]);
    expect(Number((effects[0]?.medianSpread ?? 0).toFixed(3))).toBe(2.333); // 1 / 0.3 − 1
    expect(effects.find((e) => e.dimension === "preset")?.wins[0]).toEqual(["H100X1", 8]);
    // parallel compares the 2-GPU presets only (2 × 4 sections): H100X1's "tp" and "pp" are one server.
    expect(effects.find((e) => e.dimension === "parallel")?.groups).toBe(8);
    expect(effectFindings(effects)[0]).toMatch(/^What moves Gen TPS .*: model 233\.3%, preset 29\.5%, parallel 10\.0%, ctx 1\.0%\.$/);
    expect(matrixSentence(layout, runs)).toBe("24 cells: preset (3) × model (2) × ctx (2) × parallel (2); 480 requests at c=10; gpus, tp, pp set per cell by the plan's include.");
    expect(errorFinding(runs)).toBe("Errors in 1 of 24 cells: H100X2 · deepseek-ai/DeepSeek-R1-Distill-Qwen-32B · 8192 · pp (2 of 20: http_503×2).");
  });

  it("says each kind of warning once, with the cells it hit", () => {
    const few = "too few requests for p99 (needs ≥ 100 per level): c=10 20";
    const perRun = [
      { label: "a", warnings: [few] },
      { label: "b", warnings: [few, "high error rate: c=10 2/20 (10%)"] },
      { label: "c", warnings: [few, "high error rate: c=10 5/20 (25%)"] },
    ];
    expect(collectWarnings(perRun)).toEqual([
      "too few requests for p99 (needs ≥ 100 per level) in all 3 cells (c=10 20)",
      "high error rate in 2 of 3 cells: b (c=10 2/20 (10%)); c (c=10 5/20 (25%))",
    ]);
  });
});
