import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { liveMembers, PidRegistry, processEntry, reapRecorded, type ReapPolicy } from "./pid-registry.js";
import { processIdentity } from "./process-group.js";

const started: number[] = [];

function startGroup(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { detached: true, stdio: "ignore" });
  return new Promise((resolve) =>
    child.once("spawn", () => {
      started.push(child.pid ?? 0);
      resolve(child.pid ?? 0);
    }),
  );
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
const policy: ReapPolicy = { processServers: new Set(["sim"]), kubernetesCleanup: () => undefined, runCleanup: noCleanup };

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
    const report = await reapRecorded(registry, policy);
    expect(report.stopped).toEqual([]);
    expect(processIdentity(pid)).toBeDefined();
    expect(registry.list()).toEqual([]);
  });

  it("stops a recorded group that is still running", async () => {
    const pid = await startGroup();
    const registry = new PidRegistry(join(mkdtempSync(join(tmpdir(), "servebench-pids-")), "pids.json"));
    registry.add(processEntry(pid, "sim"));
    const report = await reapRecorded(registry, policy);
    expect(report.stopped).toHaveLength(1);
    expect(liveMembers(processEntry(pid, "sim"))).toEqual([]);
  });
});

describe("pids.json is data, never commands", () => {
  const fileWith = (content: unknown): string => {
    const path = join(mkdtempSync(join(tmpdir(), "servebench-pids-")), "pids.json");
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };

  it("never runs a cleanup command stored in the file, and reports the entry", async () => {
    const planted = join(mkdtempSync(join(tmpdir(), "servebench-planted-")), "PLANTED");
    const path = fileWith({ entries: [{ kind: "kubernetes", server: "sim", cleanup: [["/bin/sh", "-c", `touch ${planted}`]], startedAt: "x" }] });
    const ran: string[][] = [];
    const registry = new PidRegistry(path);
    const report = await reapRecorded(registry, { ...policy, runCleanup: (argv) => (ran.push(argv), noCleanup()) });
    expect(ran).toEqual([]);
    expect(existsSync(planted)).toBe(false);
    expect(report.ignored.join("\n")).toMatch(/entries\[0\].*ignored/);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ entries: [] });
  });

  it("runs only the plan's own cleanup for a Kubernetes entry that matches a plan server", async () => {
    const path = fileWith({
      entries: [
        { kind: "kubernetes", server: "k", instance: "cell-1", startedAt: "x" },
        { kind: "kubernetes", server: "other", instance: "cell-1", startedAt: "x" },
      ],
    });
    const ran: string[][] = [];
    const report = await reapRecorded(new PidRegistry(path), {
      ...policy,
      kubernetesCleanup: (e) => (e.server === "k" ? [["helm", "uninstall", "r"]] : undefined),
      runCleanup: (argv) => (ran.push(argv), noCleanup()),
    });
    expect(ran).toEqual([["helm", "uninstall", "r"]]);
    expect(report.ignored.join("\n")).toContain('"other"');
  });

  it("never signals a process of a server the plan does not start, or pid 1, or one without a start time", async () => {
    const pid = await startGroup();
    const good = processEntry(pid, "sim");
    const path = fileWith({
      entries: [
        { ...good, server: "intruder" },
        { ...good, pid: 1, pgid: 1 },
        { ...good, startTicks: "" },
      ],
    });
    const report = await reapRecorded(new PidRegistry(path), policy);
    expect(report.stopped).toEqual([]);
    expect(report.ignored).toHaveLength(2);
    expect(processIdentity(pid)).toBeDefined();
  });

  it("reports a file that is not a registry instead of trusting it", () => {
    expect(new PidRegistry(fileWith("not json")).rejected[0]).toMatch(/not JSON/);
    expect(new PidRegistry(fileWith({ entries: "x" })).rejected[0]).toMatch(/not a servebench pid registry/);
  });
});
