// Owns the files a cell writes besides the run's own: the prompt-variant dataset (a system
// prompt applied to a fixed prompt or a dataset), and the plan-level OUT/plan.json.

import { join } from "node:path";
import { writeFileSync } from "node:fs";
import type { RunConfigInput } from "../config/run-config.js";
import { servebenchVersion } from "../run/version.js";
import { loadJsonlDataset, type DatasetRow } from "../workload/dataset.js";
import type { PlannedCell } from "./cell-config.js";
import type { LoadedPlan } from "./load-plan.js";

export const PLAN_SCHEMA = "servebench.plan/v1";

/**
 * The run input for a cell. With a `system` prompt variant the prompts are rewritten into
 * <cell>/prompts.jsonl: chat gets a system message, completions a first paragraph.
 */
export function cellRunInput(cell: PlannedCell, dir: string): RunConfigInput {
  const variant = promptVariant(cell);
  if (variant === undefined) return cell.run;
  const path = join(dir, "prompts.jsonl");
  writeFileSync(path, variant.jsonl);
  return { ...variant.run, dataset: path };
}

/** With a `system` prompt variant: the rewritten prompts (JSONL) and the run input less its prompt source. */
export function promptVariant(cell: PlannedCell): { jsonl: string; run: RunConfigInput } | undefined {
  if (cell.system === undefined) return undefined;
  const system = cell.system;
  const { prompt, dataset, ...rest } = cell.run;
  const rows: DatasetRow[] = prompt !== undefined ? [{ prompt }] : loadJsonlDataset(dataset ?? "");
  const lines = rows.map((row) => {
    const user =
      row.prompt ??
      row.messages
        ?.filter((m) => m.role === "user")
        .map((m) => m.content)
        .join("\n\n") ??
      "";
    const messages = [{ role: "system", content: system }, ...(row.messages?.filter((m) => m.role !== "system") ?? [{ role: "user", content: user }])];
    return JSON.stringify({ prompt: `${system}\n\n${user}`, messages, ...(row.outputTokens === undefined ? {} : { output_tokens: row.outputTokens }) });
  });
  return { jsonl: `${lines.join("\n")}\n`, run: rest };
}

/** OUT/plan.json: the expanded plan, one entry per cell (values from the environment stay as `${env:...}`). */
export function planJson(plan: LoadedPlan): Record<string, unknown> {
  return {
    schema: PLAN_SCHEMA,
    name: plan.name,
    file: plan.file,
    plan_dir: plan.planDir,
    source_file: `plan.source.${plan.format}`,
    written_at: new Date().toISOString(),
    servebench_version: servebenchVersion(),
    dimensions: plan.dimensionNames,
    cells: plan.cells.map((c) => ({
      id: c.id,
      index: c.index,
      dimensions: c.dimensions,
      repeat: c.repeat,
      server: { name: c.serverName, ...(c.display.server as object) },
      workload: c.workloadName,
      load: c.loadName,
      run: c.display.run,
      ...(c.system === undefined ? {} : { system: c.system }),
      ...(c.cellTimeoutMs === undefined ? {} : { cell_timeout_ms: c.cellTimeoutMs }),
    })),
  };
}
