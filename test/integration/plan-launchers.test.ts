// Integration: the local launcher against misbehaving servers (a tiny node script wrapping the
// simulator): never ready, exits at start, missing binary, crash mid-cell, hang mid-cell, children
// left behind, port already taken. Every cell is recorded and the plan goes on.

import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPlanText } from "../../src/plan/load-plan.js";
import type { CellRecord } from "../../src/plan/plan-out.js";
import { runPlan, type PlanRunResult } from "../../src/plan/run-plan.js";
import { FAKE_SERVER, isAlive, pidsIn, readJson, tempDir } from "../helpers/plan.js";

const dir = tempDir("plan-launch");
const pidFile = join(dir, "pids.txt");

function server(mode: string, extra = ""): string {
  return `{ kind: local, command: ["\${node}", "${FAKE_SERVER}", --mode, ${mode}, --port, "\${port}", --pid-file, "${pidFile}"${extra}], readyTimeoutMs: 20s, stopGraceMs: 500ms, health: { intervalMs: 200ms, failAfter: 3 } }`;
}

const PLAN = `
servers:
  ok: ${server("ok")}
  never: { kind: local, command: ["\${node}", "${FAKE_SERVER}", --mode, never-ready, --port, "\${port}"], readyTimeoutMs: 1500ms, stopGraceMs: 500ms }
  exits: ${server("exit-at-start")}
  missing: { kind: local, command: [/nonexistent/servebench-test-server] }
  crash: ${server("crash-after", `, --after-ms, "600", --once, "${join(dir, "crashed")}"`)}
  hang: ${server("hang-after", ', --after-ms, "600"')}
  children: ${server("leave-child")}
workloads:
  w: { inputTokens: 16, outputTokens: 4, clientTokenCheck: false, metricsIntervalMs: 250ms }
loads:
  short: { concurrency: [2], requests: 4 }
  long: { rate: [20], durationMs: 60s }
matrix:
  dimensions:
    server: [never, exits, missing, children]
    load: [short]
  include:
    - { server: crash, load: long }
    - { server: crash, load: short, after: crash }
    - { server: hang, load: long }
    - { server: ok, load: short }
`;

describe("local launcher: a misbehaving server fails its cell, never the plan", () => {
  let result: PlanRunResult;
  const out = join(dir, "out");
  const cell = (id: string): CellRecord => readJson<CellRecord>(join(out, "cells", id, "cell.json"));

  beforeAll(async () => {
    const plan = loadPlanText(PLAN, { file: "launchers.yaml", planDir: dir });
    result = await runPlan(plan, { out });
  }, 120_000);

  it("runs every cell and records each outcome", () => {
    expect(result.total).toBe(8);
    expect(result.cells.map((c) => [c.id, c.status])).toEqual([
      ["never_short", "failed"],
      ["exits_short", "failed"],
      ["missing_short", "failed"],
      ["children_short", "complete"],
      ["crash_long", "failed"],
      ["crash_short", "complete"],
      ["hang_long", "failed"],
      ["ok_short", "complete"],
    ]);
  });

  it("names the last readiness error of a server that never becomes ready", () => {
    expect(cell("never_short").reason).toMatch(/server did not start: .*not ready after .*GET \/health → 503/);
  });

  it("records a server that exits non-zero at start with its log", () => {
    const c = cell("exits_short");
    expect(c.reason).toMatch(/exited with code 3 before it was ready/);
    expect(c.log_tail?.join("\n")).toMatch(/CUDA out of memory/);
    expect(readFileSync(join(out, "cells", "exits_short", "server.log"), "utf8")).toMatch(/CUDA out of memory/);
  });

  it("records a command that does not exist", () => {
    expect(cell("missing_short").reason).toMatch(/could not start .*ENOENT/);
  });

  it("fails a cell whose server crashes mid-cell, keeps its last log lines, and restarts the server for the next cell", () => {
    const c = cell("crash_long");
    expect(c.reason).toMatch(/server process exited with code 139/);
    expect(c.log_tail?.join("\n")).toMatch(/segfault/);
    expect(existsSync(join(out, "cells", "crash_long", "requests.jsonl"))).toBe(true);
    expect(cell("crash_short").status).toBe("complete");
    expect(readFileSync(join(out, "cells", "crash_short", "server.log"), "utf8")).toMatch(/listening on/);
  });

  it("fails a cell whose server stops answering, and kills it", () => {
    expect(cell("hang_long").reason).toMatch(/stopped answering: 3 consecutive \/health checks failed/);
  });

  it("leaves no process behind: children that ignore SIGTERM are killed with the group", () => {
    const pids = pidsIn(pidFile);
    expect(pids.length).toBeGreaterThanOrEqual(7);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(readJson<{ entries: unknown[] }>(join(out, "pids.json")).entries).toEqual([]);
  });

  it("writes cells.csv with a row per cell and level, failed cells included with their reason", () => {
    const lines = readFileSync(join(out, "cells.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toMatch(/^cell,status,repeat,server,load,workload,after,reason,level,load_kind,concurrency,/);
    expect(lines).toHaveLength(1 + 8);
    expect(lines.find((l) => l.startsWith("missing_short,failed"))).toMatch(/ENOENT/);
  });
});

describe("local launcher: refuses a port that is already taken", () => {
  let squatter: Server;
  beforeAll(async () => {
    squatter = createServer((_req, res) => res.end("stale"));
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => squatter.close(() => resolve())));

  it("fails the cell without starting the server", async () => {
    const port = (squatter.address() as AddressInfo).port;
    const marker = join(dir, "port-pids.txt");
    const plan = loadPlanText(
      `servers:\n  s: { kind: local, port: ${port}, command: ["\${node}", "${FAKE_SERVER}", --port, "\${port}", --pid-file, "${marker}"] }\n`,
      { file: "port.yaml", planDir: dir },
    );
    const out = join(dir, "out-port");
    const result = await runPlan(plan, { out });
    expect(result.cells[0]?.reason).toMatch(new RegExp(`port ${port} on 127.0.0.1 already accepts connections`));
    expect(existsSync(marker)).toBe(false);
  });
});
