// Interruption as a user does it, through the built CLI: Ctrl-C (SIGINT) and `kill -9`, each sent
// to the whole process group, mid-run and mid-plan, then --resume. Afterwards the run holds exactly
// the requests an uninterrupted run would (no id twice) and no process it started is still alive.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../../src/client/record.js";
import { CLI } from "../helpers/cli.js";
import { FAKE_SERVER, readJson, tempDir, writePlan } from "../helpers/plan.js";
import { alive, descendantPids, waitFor } from "../helpers/processes.js";
import { parseRecordLine } from "../../src/results/request-record.js";

const tmp = tempDir("interrupt-resume");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Two levels of 12 requests, each about 10 ms per token on the embedded simulator. */
const RUN = [
  "--concurrency",
  "1,2",
  "--requests",
  "12",
  "--input-tokens",
  "8",
  "--output-tokens",
  "16",
  "--sim-per-token-ms",
  "10",
  "--sim-ttft-ms",
  "5",
  "--no-metrics",
  "--quiet",
];
const RUN_TOTAL = 24;

function lines(path: string): number {
  return existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "").length
    : 0;
}

function records(dir: string): RequestRecord[] {
  return readFileSync(join(dir, "requests.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => parseRecordLine(l) as unknown as RequestRecord);
}

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts the CLI as the leader of its own process group (as a shell job is). */
function start(args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [CLI, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited, stderr: () => stderr };
}

/** Waits for `s` to exit; past `boundMs` kills its whole process group (nothing is left behind) and fails. */
async function finish(s: Started, boundMs: number): Promise<{ code: number | null; stderr: string }> {
  const pid = s.child.pid as number;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      process.kill(-pid, "SIGKILL");
      reject(new Error(`no exit within ${boundMs} ms; stderr: ${s.stderr()}`));
    }, boundMs);
  });
  try {
    return await Promise.race([s.exited, bound]);
  } finally {
    clearTimeout(timer);
  }
}

type Stop = "SIGINT" | "kill -9 group";

/** Interrupts `s` once `ready` holds; returns what it started (checked afterwards by PID). */
function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

async function interrupt(s: Started, ready: () => boolean, how: Stop): Promise<{ code: number | null; started: number[]; barriers: string[]; stderr: string }> {
  const pid = s.child.pid as number;
  try {
    await waitFor(ready, 60_000);
  } catch (error) {
    process.kill(-pid, "SIGKILL");
    throw error;
  }
  const started = descendantPids(pid);
  const barriers = started.map((p) => /--barrier-dir\0([^\0]+)/.exec(readCmdline(p))?.[1]).filter((b): b is string => b !== undefined);
  // Both to the whole process group, as a terminal's Ctrl-C and `kill -9 -PGID` do.
  process.kill(-pid, how === "SIGINT" ? "SIGINT" : "SIGKILL");
  const { code, stderr } = await s.exited;
  return { code, started, barriers, stderr };
}

describe.each<Stop>(["SIGINT", "kill -9 group"])("%s, then --resume", (how) => {
  it("run: every request exactly once, nothing left running", async () => {
    const out = join(tmp, `run-${how.replace(/\W+/g, "-")}`);
    const s = start(["run", ...RUN, "--out", out]);
    const stopped = await interrupt(s, () => lines(join(out, "requests.jsonl")) >= 4, how);
    expect(stopped.code).toBe(how === "SIGINT" ? 130 : null);
    expect(stopped.stderr).not.toMatch(/internal error/);
    const resumed = await finish(start(["run", "--resume", out, "--quiet"]), 90_000);
    expect(resumed.code, resumed.stderr).toBe(0);
    const recs = records(out);
    expect(recs).toHaveLength(RUN_TOTAL);
    expect(new Set(recs.map((r) => r.id)).size).toBe(RUN_TOTAL);
    expect(recs.every((r) => r.outcome === "ok")).toBe(true);
    expect(stopped.started.filter(alive)).toEqual([]);
  }, 120_000);

  it("run --distributed local:2: the simulator and both shards are gone; --resume resumes every shard", async () => {
    const out = join(tmp, `dist-${how.replace(/\W+/g, "-")}`);
    const s = start(["run", ...RUN, "--distributed", "local:2", "--out", out], { SERVEBENCH_START_DELAY: "2s" });
    const shard0 = join(out, "shards", "shard-0", "requests.jsonl");
    const stopped = await interrupt(s, () => lines(shard0) >= 2, how);
    expect(stopped.started.length).toBeGreaterThanOrEqual(3); // simulator + 2 shards
    expect(stopped.code).toBe(how === "SIGINT" ? 130 : null);
    await waitFor(() => stopped.started.every((p) => !alive(p)), 10_000).catch(() => undefined);
    expect(stopped.started.filter(alive)).toEqual([]);
    expect(stopped.stderr).not.toMatch(/internal error/);
    const resumed = await finish(start(["run", "--resume", out, "--quiet"], { SERVEBENCH_START_DELAY: "2s" }), 90_000);
    expect(resumed.code, resumed.stderr).toBe(0);
    const recs = records(out);
    expect(recs).toHaveLength(RUN_TOTAL);
    expect(new Set(recs.map((r) => r.id)).size).toBe(RUN_TOTAL);
    expect(recs.every((r) => r.outcome === "ok")).toBe(true);
    // Even after kill -9, the first attempt's temporary barrier directory is gone once resumed.
    const barriers =
      stopped.started.length === 0
        ? []
        : readdirSync(join(out, "shards"))
            .filter((d) => existsSync(join(out, "shards", d, "config.json")))
            .map((d) => (JSON.parse(readFileSync(join(out, "shards", d, "config.json"), "utf8")) as { barrierDir?: string }).barrierDir);
    for (const b of [...barriers, ...stopped.barriers]) if (b !== undefined) expect(existsSync(b), b).toBe(false);
  }, 150_000);

  it("plan run: every cell complete once with its requests exactly once, no server left", async () => {
    const dir = join(tmp, `plan-${how.replace(/\W+/g, "-")}`);
    const out = join(dir, "out");
    const plan = writePlan(
      tmp,
      `plan-${how.replace(/\W+/g, "-")}.yaml`,
      `
name: interrupt
servers:
  sim:
    kind: local
    command: ["\${node}", "${FAKE_SERVER}", --port, "\${port}", --tag, "\${size}"]
    readyTimeoutMs: 30s
    stopGraceMs: 2s
workloads:
  w: { inputTokens: 8, outputTokens: 48, clientTokenCheck: false }
loads:
  l: { concurrency: [1], requests: 10 }
matrix:
  dimensions:
    size: [a, b, c]
`,
    );
    const cells = (): string[] =>
      existsSync(join(out, "cells")) ? readdirSync(join(out, "cells")).filter((d) => existsSync(join(out, "cells", d, "cell.json"))) : [];
    const servers = (): number[] => {
      try {
        return readJson<{ entries: Array<{ kind: string; pid: number }> }>(join(out, "pids.json"))
          .entries.filter((e) => e.kind === "process")
          .map((e) => e.pid);
      } catch {
        return [];
      }
    };
    const seen = new Set<number>();
    const s = start(["plan", "run", plan, "--out", out]);
    const stopped = await interrupt(
      s,
      () => {
        for (const p of servers()) seen.add(p);
        return (
          cells().length >= 1 &&
          servers().some(alive) &&
          readdirSync(join(out, "cells")).some((d) => d.endsWith(".partial") && lines(join(out, "cells", d, "requests.jsonl")) >= 2)
        );
      },
      how,
    );
    expect(stopped.code).toBe(how === "SIGINT" ? 130 : null);
    const resumed = await finish(start(["plan", "run", "--resume", out]), 100_000);
    expect(resumed.code, resumed.stderr).toBe(0);
    if (how === "kill -9 group") expect(resumed.stderr).toMatch(/stopped a server left by an earlier run/);
    for (const p of servers()) seen.add(p);
    expect(cells().sort()).toEqual(["a", "b", "c"]);
    for (const cell of cells()) {
      const recs = records(join(out, "cells", cell));
      expect(recs).toHaveLength(10);
      expect(new Set(recs.map((r) => r.id)).size).toBe(10);
    }
    expect([...seen, ...stopped.started].filter(alive)).toEqual([]);
  }, 150_000);
});
