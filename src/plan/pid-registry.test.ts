import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { liveMembers, PidRegistry, processEntry, reapRecorded } from "./pid-registry.js";
import { processIdentity } from "./process-group.js";

const started: number[] = [];

function startGroup(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { detached: true, stdio: "ignore" });
  return new Promise((resolve) => child.once("spawn", () => {
    started.push(child.pid ?? 0);
    resolve(child.pid ?? 0);
  }));
}

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
  }
});

const noCleanup = (): Promise<{ code: number; stderr: string }> => Promise.resolve({ code: 0, stderr: "" });

describe.runIf(processIdentity(process.pid) !== undefined)("pids.json reaping", () => {
  it("recognises its own process group by pid and start time", async () => {
    const pid = await startGroup();
    const entry = processEntry(pid, "sim");
    expect(entry.startTicks).not.toBe("");
    expect(liveMembers(entry)).toEqual([pid]);
  });

  it("never touches a process whose pid was recycled (different start time)", async () => {
    const pid = await startGroup();
    const registry = new PidRegistry(join(mkdtempSync(join(tmpdir(), "servebench-pids-")), "pids.json"));
    registry.add({ ...processEntry(pid, "sim"), startTicks: "1" });
    const report = await reapRecorded(registry, noCleanup);
    expect(report.stopped).toEqual([]);
    expect(processIdentity(pid)).toBeDefined();
    expect(registry.list()).toEqual([]);
  });

  it("stops a recorded group that is still running", async () => {
    const pid = await startGroup();
    const registry = new PidRegistry(join(mkdtempSync(join(tmpdir(), "servebench-pids-")), "pids.json"));
    registry.add(processEntry(pid, "sim"));
    const report = await reapRecorded(registry, noCleanup);
    expect(report.stopped).toHaveLength(1);
    expect(liveMembers(processEntry(pid, "sim"))).toEqual([]);
  });
});
