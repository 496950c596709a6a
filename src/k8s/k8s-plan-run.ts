// Owns `servebench k8s run --plan`: every cell of a plan as its own sharded Job, one cell at a
// time (as `plan run` takes them), each applied, followed, gathered and merged into
// OUT/cells/<id>; a failed cell is recorded and the next one runs. The results directory is
// `plan run`'s (plan/plan-out.ts: cells committed from <id>.partial, cells.csv).

import { BenchError } from "../errors.js";
import { renderCellsCsv, type CellResult } from "../plan/cells-csv.js";
import type { LoadedPlan } from "../plan/load-plan.js";
import { CELL_SCHEMA, PlanOut, type CellRecord } from "../plan/plan-out.js";
import { runOnKubernetes, type K8sRunOptions } from "./k8s-run.js";
import { planDeployments } from "./plan-cells.js";

export type K8sPlanRunOptions = Omit<K8sRunOptions, "runArgs" | "files" | "turn" | "apiKeyEnv">;

export interface K8sPlanResult {
  dir: string;
  complete: number;
  failed: number;
}

export async function runPlanOnKubernetes(plan: LoadedPlan, o: K8sPlanRunOptions): Promise<K8sPlanResult> {
  const { cells, warnings } = planDeployments(plan, o.name);
  for (const w of warnings) o.log(`note: ${w}`);
  const out = new PlanOut(o.out);
  const results: CellResult[] = [];
  for (const [k, c] of cells.entries()) {
    const cellDir = out.startCell(c.cell.id);
    o.log(`[${k + 1}/${cells.length}] ${c.cell.id}: job/${c.jobName}`);
    const startedAt = new Date().toISOString();
    const record: CellRecord = {
      schema: CELL_SCHEMA,
      id: c.cell.id,
      index: c.cell.index,
      dimensions: c.cell.dimensions,
      repeat: c.cell.repeat,
      status: "complete",
      started_at: startedAt,
      finished_at: startedAt,
    };
    let result: CellResult;
    try {
      const merged = await runOnKubernetes({
        ...o,
        name: c.jobName,
        runArgs: c.runArgs,
        files: c.files,
        apiKeyEnv: c.apiKeyEnv,
        out: cellDir,
        ...(c.cellTimeoutMs === undefined ? {} : { deadlineS: Math.ceil(c.cellTimeoutMs / 1000) }),
      });
      result = { record, summary: merged.summary };
    } catch (error) {
      // Set-up errors of our own (bad flags) stop the plan; a cell that failed on the cluster does not.
      if (error instanceof BenchError && error.code === "E_BAD_FLAG") throw error;
      record.status = "failed";
      record.reason = (error as Error).message.split("\n")[0] ?? String(error);
      o.log(`${c.cell.id}: failed: ${record.reason}`);
      result = { record, summary: undefined };
    }
    record.finished_at = new Date().toISOString();
    out.commitCell(record);
    results.push(result);
  }
  out.writeText("cells.csv", renderCellsCsv(results, plan.dimensionNames));
  const failed = results.filter((r) => r.record.status === "failed").length;
  return { dir: o.out, complete: results.length - failed, failed };
}
