// Owns running a whole plan: reap what a killed run left, then for every cell not yet complete
// start (or keep) its server, run it, record it, and go on whatever happened to that cell. Stops
// cleanly on the signal, leaving a directory `--resume` continues. Never exits the process.

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BenchError } from "../errors.js";
import { planJson } from "./cell-files.js";
import { readCellResult, renderCellsCsv } from "./cells-csv.js";
import { systemRunner, type CommandRunner } from "./launchers/index.js";
import { kubernetesCommands } from "./launchers/kubernetes.js";
import type { LoadedPlan } from "./load-plan.js";
import { PidRegistry, reapRecorded, type ReapPolicy } from "./pid-registry.js";
import { PlanOut } from "./plan-out.js";
import { runCell } from "./run-cell.js";
import type { ActiveServer, CellOutcome, PlanEvent } from "./plan-events.js";

export type { PlanEvent } from "./plan-events.js";

export interface RunPlanOptions {
  out: string;
  /** Continue a stopped run in `out`: complete cells are kept, the others run again. */
  resume?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: PlanEvent) => void;
  runner?: CommandRunner;
  /** Environment for the API key (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface PlanRunResult {
  out: string;
  total: number;
  complete: number;
  failed: number;
  /** Complete before this run started (resume). */
  skipped: number;
  interrupted: boolean;
  strictFailed: boolean;
  cells: Array<{ id: string; status: CellOutcome["status"]; reason?: string }>;
}

export type { ActiveServer } from "./plan-events.js";

/**
 * What a resume may clean up, derived only from the plan's validated server definitions: the
 * local servers' process groups, and for a Kubernetes server the plan's own uninstall/delete argv
 * (its manifest re-rendered from the plan first, so a manifest edited on disk is never used).
 */
function reapPolicy(plan: LoadedPlan, out: PlanOut, runner: CommandRunner): ReapPolicy {
  const processServers = new Set<string>();
  for (const cell of plan.cells) {
    if (cell.server.kind === "local") processServers.add(cell.serverName);
    if (cell.server.kind === "kubernetes" && cell.server.portForward !== undefined) processServers.add(`${cell.serverName} port-forward`);
  }
  return {
    processServers,
    kubernetesCleanup: (entry) => {
      const cell = plan.cells.find((c) => c.id === entry.instance && c.serverName === entry.server);
      if (cell === undefined || cell.server.kind !== "kubernetes") return undefined;
      const dir = join(out.serversDir, cell.id);
      mkdirSync(dir, { recursive: true });
      if (cell.server.helm === undefined) writeFileSync(join(dir, "manifest.yaml"), cell.manifestText ?? "", { mode: 0o600 });
      return kubernetesCommands(cell.server, dir).cleanup;
    },
    runCleanup: (argv) => runner.run(argv, { timeoutMs: 300_000 }),
  };
}

/**
 * Runs every cell of `plan` into `options.out`.
 * @example
 * const result = await runPlan(loadPlanFile("plan.yaml"), { out: "results/plan", signal });
 */
export async function runPlan(plan: LoadedPlan, options: RunPlanOptions): Promise<PlanRunResult> {
  const emit = options.onEvent ?? (() => {});
  const signal = options.signal ?? new AbortController().signal;
  const runner = options.runner ?? systemRunner;
  const out = new PlanOut(options.out);
  if (options.resume !== true && out.hasPlan()) {
    throw new BenchError("E_BAD_CONFIG", `--out ${options.out} already holds a plan run: continue it with --resume ${options.out}, or choose another --out`, {
      where: "--out",
    });
  }
  if (options.resume === true && !out.hasPlan()) {
    throw new BenchError("E_BAD_CONFIG", `--resume ${options.out}: no plan.json there, nothing to resume`, { where: "--resume" });
  }
  const registry = new PidRegistry(out.pidsPath);
  const reaped = await reapRecorded(registry, reapPolicy(plan, out, runner));
  for (const line of reaped.stopped) emit({ kind: "info", message: `stopped a server left by an earlier run: ${line}` });
  for (const line of reaped.ignored) emit({ kind: "warning", message: line });
  for (const id of out.removePartials()) emit({ kind: "info", message: `discarded the unfinished cell ${id}; it runs again` });
  // The saved copy is what a later `--resume DIR` (without a plan file) runs.
  const sourceName = `plan.source.${plan.format}`;
  if (resolve(plan.file) !== resolve(options.out, sourceName) && !out.writeText(sourceName, plan.source)) {
    emit({
      kind: "warning",
      message: `${sourceName}: secrets written literally in the plan are redacted in this copy; resume with the plan file (plan run ${plan.file} --resume ${options.out}), or write them as \${env:NAME}`,
    });
  }
  out.writeJson("plan.json", planJson(plan));

  const result: PlanRunResult = {
    out: options.out,
    total: plan.cells.length,
    complete: 0,
    failed: 0,
    skipped: 0,
    interrupted: false,
    strictFailed: false,
    cells: [],
  };
  let active: ActiveServer | undefined;
  const stopActive = async (): Promise<void> => {
    const current = active;
    active = undefined;
    if (current !== undefined) await current.server.stop();
  };
  const writeCsv = (): void => {
    const results = plan.cells.flatMap((c) => readCellResult(out.cellDir(c.id)) ?? []);
    out.writeText("cells.csv", renderCellsCsv(results, plan.dimensionNames));
  };
  try {
    let position = 0;
    for (const cell of plan.cells) {
      position++;
      if (signal.aborted) break;
      if (out.isComplete(cell.id)) {
        result.skipped++;
        result.complete++;
        result.cells.push({ id: cell.id, status: "complete" });
        emit({ kind: "cell-skip", cell });
        continue;
      }
      emit({ kind: "cell-start", cell, position, total: plan.cells.length });
      const startMs = performance.now();
      const ctx = { out, registry, runner, signal, emit, ...(options.env === undefined ? {} : { env: options.env }) };
      const step = await runCell(cell, active, ctx);
      active = step.active;
      const outcome = step.outcome;
      emit({ kind: "cell-end", cell, outcome, durationMs: performance.now() - startMs });
      result.cells.push({ id: cell.id, status: outcome.status, ...(outcome.reason === undefined ? {} : { reason: outcome.reason }) });
      if (outcome.status === "interrupted") break;
      if (outcome.status === "complete") result.complete++;
      else result.failed++;
      if (outcome.strictFailed === true) result.strictFailed = true;
      writeCsv();
    }
  } finally {
    await stopActive();
    writeCsv();
  }
  result.interrupted = signal.aborted;
  return result;
}
