// End-to-end: a results directory is data someone may hand over. Resuming one whose pids.json
// carries planted cleanup commands, or a pid of a process that is not ours, runs and signals
// nothing, and says so on stderr even with --quiet.

import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { FAKE_SERVER, isAlive, tempDir, writePlan } from "../helpers/plan.js";

const dir = tempDir("plan-resume-safety");
const out = join(dir, "out");
const planted = join(dir, "PLANTED");
const planFile = writePlan(
  dir,
  "p.yaml",
  `
name: resume-safety
servers:
  sim:
    kind: local
    command: ["\${node}", "${FAKE_SERVER}", --port, "\${port}"]
    readyTimeoutMs: 30s
    stopGraceMs: 2s
workloads:
  w: { inputTokens: 16, outputTokens: 4, clientTokenCheck: false }
loads:
  l: { rate: [10], durationMs: 300ms }
`,
);

const bystander = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { detached: true, stdio: "ignore" });
afterAll(() => {
  try {
    process.kill(-(bystander.pid ?? 0), "SIGKILL");
  } catch {
    // gone
  }
});

describe("plan run --resume with a planted pids.json", () => {
  it("runs the plan once", async () => {
    const first = await runCli(["plan", "run", planFile, "--out", out, "--quiet"], { timeoutMs: 60_000 });
    expect(first.code).toBe(0);
  }, 70_000);

  it("never executes a stored command and never signals a process the plan did not start", async () => {
    const pid = bystander.pid ?? 0;
    writeFileSync(
      join(out, "pids.json"),
      JSON.stringify({
        entries: [
          { kind: "kubernetes", cleanup: [["/bin/sh", "-c", `touch ${planted}`]] },
          { kind: "kubernetes", server: "sim", cleanup: [["/bin/sh", "-c", `touch ${planted}`]], startedAt: "x" },
          { kind: "kubernetes", server: "nope", instance: "x", startedAt: "x" },
          { kind: "process", pid, pgid: pid, startTicks: "", cmdline: "", server: "sim", startedAt: "x" },
          { kind: "process", pid, pgid: pid, startTicks: "123", server: "intruder", startedAt: "x" },
        ],
      }),
    );
    const resumed = await runCli(["plan", "run", "--resume", out, "--quiet"], { timeoutMs: 60_000 });
    expect(resumed.code).toBe(0);
    expect(existsSync(planted)).toBe(false);
    expect(isAlive(pid)).toBe(true);
    expect(resumed.stderr).toMatch(/warning: .*pids\.json: entries\[0\]/);
    expect(resumed.stderr).toMatch(/warning: .*"nope".*nothing run/);
    expect(resumed.stderr).toMatch(/warning: .*"intruder".*not signalled/);
  }, 70_000);
});
