// bench/lib/proc-cpu.ts: the CPU time bench:client reports for the mock and the spawned CLI is the
// processes' own, read from /proc (Linux only; elsewhere the helpers answer NaN).

import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { childrenCpuMs, processCpuMs } from "../../bench/lib/proc-cpu.js";

/** A node child that spends `ms` of its own CPU time, then exits (or waits for stdin to close, with `hold`). */
const burner = (ms: number, hold: boolean): string[] => [
  "-e",
  `while ((process.cpuUsage().user + process.cpuUsage().system) / 1000 < ${ms}); console.log("done"); ${hold ? "process.stdin.resume();" : ""}`,
];

describe.runIf(process.platform === "linux")("proc-cpu", () => {
  it("reads a running process's CPU time, and NaN for one that does not exist", async () => {
    const child = spawn(process.execPath, burner(300, true), { stdio: ["pipe", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    try {
      // At least the 300 ms it burnt, less one 10 ms tick; its start-up adds a little on top.
      expect(processCpuMs(child.pid)).toBeGreaterThanOrEqual(290);
      expect(processCpuMs(child.pid)).toBeLessThan(5000);
    } finally {
      child.stdin.end();
      await new Promise((resolve) => child.once("exit", resolve));
    }
    expect(processCpuMs(undefined)).toBeNaN();
    expect(processCpuMs(2 ** 22 + 1)).toBeNaN(); // above Linux's pid_max
  });

  it("counts a child waited for by spawnSync in this process's children's CPU", () => {
    const before = childrenCpuMs();
    const run = spawnSync(process.execPath, burner(300, false));
    expect(run.status).toBe(0);
    expect(childrenCpuMs() - before).toBeGreaterThanOrEqual(290);
  });
});
