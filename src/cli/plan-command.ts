// Owns `servebench plan run|validate|show|schema`: flags → the plan library, progress on stderr,
// Ctrl-C → stop the cell and the servers cleanly (a second Ctrl-C kills them now), exit codes.

import { join } from "node:path";
import type { Command } from "commander";
import { fixed } from "../report/format.js";
import { formatIssue, PlanError } from "../plan/issues.js";
import { parsePositiveInt } from "../config/units.js";
import { loadPlanFile, loadPlanFromOut, type LoadedPlan, type LoadOptions } from "../plan/load-plan.js";
import { DEFAULT_MAX_CELLS } from "../plan/matrix.js";
import { killRecordedNow } from "../plan/pid-registry.js";
import { planJsonSchema } from "../plan/plan-schema.js";
import { planJson } from "../plan/cell-files.js";
import { runPlan, type PlanEvent } from "../plan/run-plan.js";
import { EXIT } from "./exit-codes.js";
import { createProgressRenderer } from "./progress-renderer.js";

type Raw = Record<string, string | boolean | undefined>;
type SetExit = (code: number) => void;

export function addPlanCommands(plan: Command, setExit: SetExit): void {
  plan
    .command("run")
    .description("run every cell of a plan (YAML or JSON); each cell is kept on disk as it completes")
    .argument("[plan]", "plan file (optional with --resume: the saved copy is used)")
    .option("--out <dir>", "results directory (default: the plan's `out`, else results/plan-<name>-<timestamp>)")
    .option("--resume <dir>", "continue a stopped run: complete cells are kept, the rest run again")
    .option("--quiet", "print only one line per cell")
    .option(MAX_CELLS_FLAG, MAX_CELLS_HELP)
    .action(async (file: string | undefined, opts: Raw) => setExit(await planRun(file, opts)));
  plan
    .command("validate")
    .description("check a plan and list every problem with its path and line")
    .argument("<plan>", "plan file")
    .option(MAX_CELLS_FLAG, MAX_CELLS_HELP)
    .action((file: string, opts: Raw) => setExit(planValidate(file, opts)));
  plan
    .command("show")
    .description("print every cell of a plan with its expanded server command and load")
    .argument("<plan>", "plan file")
    .option("--json", "print the expanded plan as plan.json would hold it")
    .option(MAX_CELLS_FLAG, MAX_CELLS_HELP)
    .action((file: string, opts: Raw) => setExit(planShow(file, opts.json === true, opts)));
  plan
    .command("schema")
    .description("print the plan file's JSON Schema (for editors)")
    .action(() => {
      process.stdout.write(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
      setExit(EXIT.ok);
    });
}

export const MAX_CELLS_FLAG = "--max-cells <n>";
export const MAX_CELLS_HELP = `refuse a matrix of more cells than this, before expanding it (default ${DEFAULT_MAX_CELLS})`;

/** Plan-loading options from the flags every plan command shares. */
export function planLoadOptions(opts: Raw): LoadOptions {
  return typeof opts.maxCells === "string" ? { maxCells: parsePositiveInt(opts.maxCells, "--max-cells") } : {};
}

function planValidate(file: string, opts: Raw): number {
  try {
    const plan = loadPlanFile(file, planLoadOptions(opts));
    process.stdout.write(`${file}: ok, ${plan.cells.length} cells (${plan.dimensionNames.join(" × ")})\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    for (const issue of error.issues) process.stderr.write(`${formatIssue(file, issue)}\n`);
    process.stderr.write(`${file}: ${error.issues.length} problem${error.issues.length === 1 ? "" : "s"}\n`);
    return EXIT.badInput;
  }
}

function dimsLabel(dims: Record<string, unknown>): string {
  return Object.entries(dims)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
}

function planShow(file: string, json: boolean, opts: Raw): number {
  const plan = loadPlanFile(file, planLoadOptions(opts));
  if (json) {
    process.stdout.write(`${JSON.stringify(planJson(plan), null, 2)}\n`);
    return EXIT.ok;
  }
  process.stdout.write(`${plan.name}: ${plan.cells.length} cells, dimensions ${plan.dimensionNames.join(" × ")}\n`);
  for (const c of plan.cells) {
    const server = c.display.server as { kind: string; command?: string[]; url?: string; helm?: { release: string; chart: string }; manifest?: string };
    const launch =
      server.command?.join(" ") ?? server.url ?? (server.helm === undefined ? server.manifest : `helm ${server.helm.release} ${server.helm.chart}`) ?? "";
    const repeat = plan.plan.matrix.repeat > 1 ? ` repeat ${c.repeat}` : "";
    process.stdout.write(`\n${String(c.index + 1).padStart(3)}. ${c.id}${repeat}\n     ${dimsLabel(c.dimensions)}\n`);
    process.stdout.write(`     server ${c.serverName} (${server.kind}): ${launch}\n     run ${JSON.stringify(c.display.run)}\n`);
    if (c.system !== undefined) process.stdout.write(`     system prompt: ${JSON.stringify(c.system)}\n`);
  }
  return EXIT.ok;
}

function defaultOut(plan: LoadedPlan): string {
  const stamp = new Date().toISOString().replace(/[:]/g, "-").replace(/\..+$/, "");
  return join("results", `plan-${plan.name.replace(/[^\w.-]+/g, "-")}-${stamp}`);
}

async function planRun(file: string | undefined, opts: Raw): Promise<number> {
  const resume = typeof opts.resume === "string" ? opts.resume : undefined;
  if (file === undefined && resume === undefined) {
    process.stderr.write("servebench: plan run needs a plan file, or --resume <dir>\n");
    return EXIT.badInput;
  }
  const plan = file === undefined ? loadPlanFromOut(resume ?? "", planLoadOptions(opts)) : loadPlanFile(file, planLoadOptions(opts));
  const out = resume ?? (typeof opts.out === "string" ? opts.out : undefined) ?? plan.out ?? defaultOut(plan);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write("\nservebench: stopping: finishing this cell's records and stopping servers (press Ctrl-C again to kill them now)\n");
      controller.abort();
    } else {
      killRecordedNow(join(out, "pids.json"));
      process.exit(EXIT.interrupted);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const startMs = performance.now();
  try {
    process.stderr.write(`plan ${plan.name}: ${plan.cells.length} cells → ${out}\n`);
    const result = await runPlan(plan, { out, resume: resume !== undefined, signal: controller.signal, onEvent: renderer(opts.quiet === true) });
    const seconds = fixed((performance.now() - startMs) / 1000, 1);
    const skipped = result.skipped > 0 ? ` (${result.skipped} from an earlier run)` : "";
    process.stdout.write(`plan ${plan.name}: ${result.complete} complete${skipped}, ${result.failed} failed, of ${result.total} cells in ${seconds} s\n`);
    for (const c of result.cells.filter((x) => x.status === "failed")) process.stdout.write(`  failed ${c.id}: ${c.reason ?? ""}\n`);
    process.stdout.write(`results: ${join(out, "cells.csv")}\n`);
    if (result.interrupted || result.failed > 0) process.stdout.write(`continue with: servebench plan run --resume ${out}\n`);
    if (result.interrupted) return EXIT.interrupted;
    if (result.failed > 0) return EXIT.cellsFailed;
    return result.strictFailed ? EXIT.strictMismatch : EXIT.ok;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function renderer(quiet: boolean): (event: PlanEvent) => void {
  const run = createProgressRenderer(process.stderr, quiet);
  return (event) => {
    switch (event.kind) {
      case "info":
        if (!quiet) process.stderr.write(`  ${event.message}\n`);
        return;
      case "warning":
        process.stderr.write(`servebench: warning: ${event.message}\n`);
        return;
      case "cell-start":
        if (!quiet) process.stderr.write(`[${event.position}/${event.total}] ${event.cell.id}: ${dimsLabel(event.cell.dimensions)}\n`);
        return;
      case "cell-skip":
        if (!quiet) process.stderr.write(`[skip] ${event.cell.id}: complete in an earlier run\n`);
        return;
      case "cell-end": {
        const o = event.outcome;
        const why = o.reason === undefined ? "" : `: ${o.reason.split("\n")[0] ?? ""}`;
        process.stderr.write(`${event.cell.id}: ${o.status} in ${fixed(event.durationMs / 1000, 1)} s${why}\n`);
        return;
      }
      case "run":
        if (event.event.kind !== "info") run(event.event);
        return;
    }
  };
}
