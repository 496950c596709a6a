import { describe, expect, it } from "vitest";
import type { PlanIssue } from "./issues.js";
import { expandMatrix } from "./matrix.js";
import { planFileSchema } from "./plan-schema.js";

function plan(matrix: unknown, sections: Record<string, unknown> = {}) {
  return planFileSchema.parse({
    servers: { vllm: { kind: "existing", url: "http://127.0.0.1:8000" } },
    ...sections,
    matrix,
  });
}

function cells(p: ReturnType<typeof plan>): { ids: string[]; issues: PlanIssue[]; names: string[]; dims: Array<Record<string, unknown>> } {
  const issues: PlanIssue[] = [];
  const r = expandMatrix(p, issues);
  return { ids: r.cells.map((c) => c.id), issues, names: r.names, dims: r.cells.map((c) => c.dimensions) };
}

describe("matrix", () => {
  it("crosses dimensions in order (first listed = outermost), server first and workload/load last", () => {
    const r = cells(plan({ dimensions: { gpu: ["a", "b"], ctx: [2048, 8192] } }, { loads: { c1: {}, c10: {} } }));
    expect(r.names).toEqual(["server", "gpu", "ctx", "workload", "load"]);
    expect(r.ids).toEqual(["a_2048_c1", "a_2048_c10", "a_8192_c1", "a_8192_c10", "b_2048_c1", "b_2048_c10", "b_8192_c1", "b_8192_c10"]);
  });

  it("applies exclude, then include (extend matching cells, or add a cell)", () => {
    const r = cells(
      plan({
        dimensions: { gpu: ["H100X1", "H100X2"], parallel: ["tp", "pp"] },
        exclude: [{ gpu: "H100X1", parallel: "pp" }],
        include: [
          { gpu: "H100X1", gpus: 1 },
          { gpu: "H100X2", gpus: 2 },
          { gpu: "B200", parallel: "tp", gpus: 8 },
        ],
      }),
    );
    expect(r.ids).toEqual(["H100X1_tp", "H100X2_tp", "H100X2_pp", "B200_tp"]);
    expect(r.dims.map((d) => d["gpus"])).toEqual([1, 2, 2, 8]);
    expect(r.dims[3]).toMatchObject({ server: "vllm", workload: "default", load: "default" });
    expect(r.issues).toEqual([]);
  });

  it("repeats each cell, with the repeat in the id", () => {
    expect(cells(plan({ dimensions: { gpu: ["a"] }, repeat: 2 })).ids).toEqual(["a_r1", "a_r2"]);
  });

  it("reports unknown names in dimensions and rules, with paths", () => {
    const r = cells(plan({ dimensions: { server: ["vllm", "sglang"] }, exclude: [{ gpuu: "x" }] }));
    expect(r.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["matrix.dimensions.server.1", 'no server named "sglang" in servers (vllm)'],
      ["matrix.exclude.0.gpuu", '"gpuu" is not a dimension (server, workload, load)'],
    ]);
  });

  it("keeps ids unique and file-system safe", () => {
    const r = cells(plan({ dimensions: { model: ["org/m:1", "org/m 1"] } }));
    expect(r.ids).toHaveLength(2);
    expect(new Set(r.ids).size).toBe(2);
    for (const id of r.ids) expect(id).toMatch(/^[A-Za-z0-9._-]+$/);
  });
});
