// Owns rendering a whole plan as Kubernetes objects: per cell, an Indexed Job of N shards (plus its
// ConfigMap of files and its merge Job), named after the cell. Cells take turns, as under
// `plan run`: cell 0 starts at the render's instant, each next one when the previous cell's shards
// are done (a barrier on the shared volume). Pure: no I/O.

import { stringify } from "yaml";
import { BenchError } from "../errors.js";
import type { LoadedPlan } from "../plan/load-plan.js";
import { refuseSecretsInRunArgs } from "./k8s-values.js";
import { RESULTS, renderObjects, type RenderOptions } from "./manifest.js";
import { planDeployments } from "./plan-cells.js";

export type PlanRenderOptions = Omit<RenderOptions, "runArgs" | "files" | "turn" | "apiKeyEnv">;

export interface PlanManifest {
  yaml: string;
  /** One line per thing the Jobs do differently from `plan run` (printed to stderr and in the header). */
  warnings: string[];
  jobs: string[];
}

/** Renders every cell of the plan; `o.deadlineS` is each cell's deadline unless the plan sets cellTimeoutMs. */
export function renderPlanManifest(plan: LoadedPlan, o: PlanRenderOptions): PlanManifest {
  const { cells, warnings } = planDeployments(plan, o.name);
  if (cells.length > 1 && o.storage.kind !== "pvc") {
    throw new BenchError(
      "E_BAD_FLAG",
      `--plan ${plan.file}: its ${cells.length} cells take turns through files on a shared volume: use --storage pvc:CLAIM (or render one cell per plan)`,
      { where: "--storage" },
    );
  }
  // Each cell's shards meet the next cell's in one directory per render (a reused name never mixes renders).
  const turnsDir = `${RESULTS}/${o.name}/turns-${o.startAtEpochMs}`;
  const docs: Array<Record<string, unknown>> = [];
  let elapsedS = 0;
  cells.forEach((c, k) => {
    refuseSecretsInRunArgs(c.runArgs, `${plan.file}: cell ${c.cell.id}`);
    const cellDeadlineS = c.cellTimeoutMs === undefined ? o.deadlineS : Math.ceil(c.cellTimeoutMs / 1000);
    const previous = cells[k - 1];
    const options: RenderOptions = {
      ...o,
      name: c.jobName,
      runArgs: c.runArgs,
      files: c.files,
      apiKeyEnv: c.apiKeyEnv,
      // Deadlines count from when the Jobs are applied, all at once: a cell's includes its wait for the ones before.
      deadlineS: elapsedS + cellDeadlineS,
    };
    if (cells.length > 1) {
      options.turn = { dir: turnsDir };
      if (k < cells.length - 1) options.turn.doneName = `cell-${k}.done`;
      if (previous !== undefined) {
        options.turn.after = {
          name: `cell-${k - 1}.done`,
          label: `cell ${k - 1} (${previous.cell.id})`,
          timeoutMs: previous.barrierTimeoutMs,
          marginMs: Math.max(c.barrierMarginMs, 1000),
          // Past the previous cell's deadline it can no longer finish: start anyway.
          giveUpAtEpochMs: o.startAtEpochMs + elapsedS * 1000,
        };
      }
    }
    elapsedS += cellDeadlineS;
    docs.push(...renderObjects(options));
  });
  const header = [
    `# servebench: plan ${plan.name} (${plan.file}), ${cells.length} cell${cells.length === 1 ? "" : "s"} × ${o.shards} shards.`,
    `# Cell 0 starts at ${new Date(o.startAtEpochMs).toISOString()}${cells.length > 1 ? "; each next cell when the previous cell's shards are done" : ""}.`,
    "# Rendered by `servebench k8s render --plan`; apply soon after rendering.",
    ...warnings.map((w) => `# note: ${w}`),
    "",
  ].join("\n");
  return { yaml: header + docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n"), warnings, jobs: cells.map((c) => c.jobName) };
}
