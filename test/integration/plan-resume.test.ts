// End-to-end: the built CLI runs a plan, is stopped with SIGTERM (clean stop), resumed, killed
// with SIGKILL mid-cell (leaving an orphaned server), and resumed again: the orphan is reaped,
// every cell ends complete exactly once, and cells.csv has one row per cell and level.

import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { FAKE_SERVER, isAlive, readJson, tempDir, writePlan } from "../helpers/plan.js";

const dir = tempDir("plan-resume");
const out = join(dir, "out");
const planFile = writePlan(
  dir,
  "resume.yaml",
  `
name: resume-test
servers:
  sim:
    kind: local
    command: ["\${node}", "${FAKE_SERVER}", --port, "\${port}", --tag, "\${size}"]
    readyTimeoutMs: 30s
    stopGraceMs: 2s
workloads:
  w: { inputTokens: 16, outputTokens: 4, clientTokenCheck: false }
loads:
  l: { rate: [10], durationMs: 1s }
matrix:
  dimensions:
    size: [a, b, c, d]
`,
);

interface Entry {
  kind: string;
  pid: number;
}

const completeCells = (): string[] =>
  existsSync(join(out, "cells"))
    ? readdirSync(join(out, "cells")).filter((d) => !d.endsWith(".partial") && existsSync(join(out, "cells", d, "cell.json")))
    : [];
const liveServers = (): number[] => {
  try {
    return readJson<{ entries: Entry[] }>(join(out, "pids.json"))
      .entries.filter((e) => e.kind === "process" && isAlive(e.pid))
      .map((e) => e.pid);
  } catch {
    return [];
  }
};

/** The cell a fake server serves: the value after --tag on its command line. */
function cellOf(pid: number): string | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const at = argv.indexOf("--tag");
    return at === -1 ? undefined : argv[at + 1];
  } catch {
    return undefined;
  }
}

/** Runs the CLI; once `ready()` holds (polled), sends `signal`. Resolves with the exit code. */
function runUntil(args: string[], ready: () => boolean, signal: NodeJS.Signals | undefined): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const poll =
      signal === undefined
        ? undefined
        : setInterval(() => {
            if (ready()) {
              clearInterval(poll);
              child.kill(signal);
            }
          }, 50);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`CLI did not finish: ${stderr}`));
    }, 90_000);
    child.on("close", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("plan run: stop, kill -9 and resume", () => {
  it("never loses a finished cell, never leaves a server running, and finishes every cell once", async () => {
    // 1. SIGTERM while the second cell runs: exit 130, servers stopped, directory resumable.
    const first = await runUntil(["plan", "run", planFile, "--out", out], () => completeCells().length >= 1 && liveServers().length > 0, "SIGTERM");
    expect(first.code, first.stderr).toBe(130);
    expect(first.stdout).toMatch(/continue with: servebench plan run --resume/);
    expect(liveServers()).toEqual([]);
    const afterStop = completeCells();
    expect(afterStop.length).toBeGreaterThanOrEqual(1);

    // 2. Resume, then kill -9 servebench itself mid-cell: its server is orphaned (still running).
    let orphans: number[] = [];
    // The orphan must be the server of a cell still running: one whose cell is complete may be
    // stopping already (SIGTERMed, it would exit on its own), so servers are told apart by
    // their --tag (the cell id, read from /proc) and must be seen in several consecutive polls.
    const sightings = new Map<number, number>();
    const second = await runUntil(
      ["plan", "run", "--resume", out],
      () => {
        const live = liveServers();
        for (const pid of [...sightings.keys()]) if (!live.includes(pid)) sightings.delete(pid);
        for (const pid of live) sightings.set(pid, (sightings.get(pid) ?? 0) + 1);
        const done = completeCells();
        orphans = live.filter((pid) => (sightings.get(pid) ?? 0) >= 6 && !done.includes(cellOf(pid) ?? ""));
        return completeCells().length > afterStop.length && orphans.length > 0;
      },
      "SIGKILL",
    );
    expect(second.code).toBeNull();
    expect(orphans.length).toBe(1);
    expect(orphans.every(isAlive)).toBe(true);
    const afterKill = completeCells();

    // 3. Resume again: the orphan is reaped first, the rest runs, nothing is run twice.
    const third = await runUntil(["plan", "run", "--resume", out], () => false, undefined);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/stopped a server left by an earlier run/);
    expect(orphans.filter(isAlive)).toEqual([]);
    expect(liveServers()).toEqual([]);
    for (const id of afterKill) expect(third.stderr).toContain(`[skip] ${id}`);
    expect(completeCells().sort()).toEqual(["a", "b", "c", "d"]);
    expect(readdirSync(join(out, "cells")).filter((d) => d.endsWith(".partial"))).toEqual([]);
    const csv = readFileSync(join(out, "cells.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(1 + 4);
    expect(csv.slice(1).map((l) => l.split(",").slice(0, 2).join(","))).toEqual(["a,complete", "b,complete", "c,complete", "d,complete"]);
  }, 120_000);
});
