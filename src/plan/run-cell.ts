// Owns running one cell: make sure its server is up (reusing the previous one when the launch
// spec is the same), run the benchmark into cells/<id>.partial/ under a watchdog, collect the
// server's log, and commit the cell as complete or failed. Whatever goes wrong here is recorded
// on the cell; only a user stop leaves the cell unfinished.

import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runBenchmark, type RunResult } from "../run/run-benchmark.js";
import { isBenchError } from "../errors.js";
import type { PlannedCell } from "./cell-config.js";
import { cellRunInput } from "./cell-files.js";
import { launchServer, LaunchError, type CommandRunner, type LaunchContext } from "./launchers/index.js";
import type { PidRegistry } from "./pid-registry.js";
import { CELL_SCHEMA, type CellRecord, type PlanOut } from "./plan-out.js";
import type { ActiveServer, CellOutcome, PlanEvent } from "./plan-events.js";
import { watchCell } from "./watchdog.js";

export type { CellOutcome } from "./plan-events.js";

export interface CellRunContext {
  out: PlanOut;
  registry: PidRegistry;
  runner: CommandRunner;
  signal: AbortSignal;
  emit: (event: PlanEvent) => void;
  env?: Record<string, string | undefined>;
}

const LOG_TAIL_LINES = 50;

function describe(error: unknown): string {
  if (error instanceof LaunchError) return error.reason;
  if (isBenchError(error)) return `${error.code}: ${error.message}`;
  return `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

export async function runCell(
  cell: PlannedCell,
  previous: ActiveServer | undefined,
  ctx: CellRunContext,
): Promise<{ outcome: CellOutcome; active: ActiveServer | undefined }> {
  const startedAt = new Date().toISOString();
  const dir = ctx.out.startCell(cell.id);
  const logPath = join(dir, "server.log");
  const finish = (status: "complete" | "failed", reason?: string, tail?: string[]): CellOutcome => {
    const record: CellRecord = {
      schema: CELL_SCHEMA,
      id: cell.id,
      index: cell.index,
      dimensions: cell.dimensions,
      repeat: cell.repeat,
      status,
      started_at: startedAt,
      finished_at: new Date().toISOString(),
    };
    if (reason !== undefined) record.reason = reason;
    if (tail !== undefined && tail.length > 0) record.log_tail = tail;
    ctx.out.commitCell(record);
    return reason === undefined ? { status } : { status, reason };
  };

  let active = previous;
  const restart = cell.server.kind !== "existing" && cell.server.restart === "always";
  if (active !== undefined && (active.key !== cell.serverKey || active.dead || restart)) {
    await active.server.stop();
    active = undefined;
  }
  if (active === undefined) {
    const instanceDir = join(ctx.out.serversDir, cell.id);
    mkdirSync(instanceDir, { recursive: true });
    const launch: LaunchContext = {
      name: cell.serverName,
      instanceDir,
      registry: ctx.registry,
      runner: ctx.runner,
      signal: ctx.signal,
      emit: (message) => ctx.emit({ kind: "info", message }),
      ...(cell.manifestText === undefined ? {} : { manifestText: cell.manifestText }),
    };
    try {
      const server = await launchServer(cell.server, launch);
      const started: ActiveServer = { key: cell.serverKey, name: cell.serverName, server, cellsServed: 0, dead: false };
      void server.died.then(() => (started.dead = true));
      active = started;
    } catch (error) {
      if (existsSync(join(instanceDir, "server.log"))) copyFileSync(join(instanceDir, "server.log"), logPath);
      if (ctx.signal.aborted) return { outcome: { status: "interrupted" }, active: undefined };
      return { outcome: finish("failed", `server did not start: ${describe(error)}`, error instanceof LaunchError ? error.logTail : []), active: undefined };
    }
  } else {
    try {
      await active.server.beforeCell();
    } catch (error) {
      await active.server.stop();
      return { outcome: finish("failed", describe(error)), active: undefined };
    }
  }
  const server = active.server;
  active.cellsServed++;

  const watch = watchCell(server, cell.server.health, cell.cellTimeoutMs);
  let result: RunResult | undefined;
  let failure: unknown;
  try {
    const input = { ...cellRunInput(cell, dir), url: server.baseUrl, out: dir, serverCmd: server.commandLine };
    result = await runBenchmark(input, {
      signal: AbortSignal.any([ctx.signal, watch.signal]),
      onProgress: (event) => ctx.emit({ kind: "run", cell, event }),
      ...(ctx.env === undefined ? {} : { env: ctx.env }),
    });
  } catch (error) {
    failure = error;
  } finally {
    watch.stop();
  }
  await server.collectLog(logPath, startedAt).catch(() => {});
  const watchReason = watch.reason();
  if (ctx.signal.aborted && watchReason === undefined) return { outcome: { status: "interrupted" }, active };
  if (watchReason !== undefined || failure !== undefined) {
    const tail = await server.tail(LOG_TAIL_LINES).catch(() => []);
    const reason = watchReason ?? describe(failure);
    // A server that died or hung is not trusted with the next cell: it is restarted.
    const keep = watchReason === undefined && !active.dead;
    if (!keep) await server.stop();
    return { outcome: finish("failed", reason, tail), active: keep ? active : undefined };
  }
  // A cell whose every request failed (or whose error rate passed --max-error-rate) measured nothing: it failed.
  if (result?.verdict.status === "target_failed")
    return { outcome: finish("failed", `the target is failing: ${result.verdict.reasons.join("; ")}`, []), active };
  const outcome = finish("complete");
  if (result?.strictFailed === true) outcome.strictFailed = true;
  return { outcome, active };
}
