import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { liveMembers, MARKER_ENV, newMarker, PidRegistry, processEntry, reapRecorded, type ReapPolicy } from "./pid-registry.js";
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

/**
 * A process group whose leader has exited while a member runs on (as a server's workers outlive
 * a crashed parent). Resolves with the group id and the member's pid.
 */
function startOrphanedGroup(env: NodeJS.ProcessEnv = {}): Promise<{ pgid: number; member: number }> {
  const script =
    "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });" +
    "c.unref(); process.stdout.write(String(c.pid));";
  const leader = spawn(process.execPath, ["-e", script], { detached: true, stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, ...env } });
  let out = "";
  leader.stdout.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) =>
    leader.once("exit", () => {
      started.push(leader.pid ?? 0);
      resolve({ pgid: leader.pid ?? 0, member: Number(out) });
    }),
  );
}

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

  it("a group whose leader is gone is ours only if its members carry the marker servebench gave it", async () => {
    const marker = newMarker();
    const ours = await startOrphanedGroup({ [MARKER_ENV]: marker });
    const theirs = await startOrphanedGroup();
    // A planted entry: a plan server's name, the bystander's group, the earliest start time.
    const planted = { kind: "process" as const, pid: theirs.pgid, pgid: theirs.pgid, startTicks: "1", server: "sim", startedAt: "x" };
    expect(liveMembers(planted)).toEqual([]);
    expect(liveMembers({ ...planted, marker })).toEqual([]);
    expect(liveMembers({ ...planted, pid: ours.pgid, pgid: ours.pgid, marker })).toEqual([ours.member]);
    const registry = new PidRegistry(join(mkdtempSync(join(tmpdir(), "servebench-pids-")), "pids.json"));
    registry.add(planted);
    expect((await reapRecorded(registry, policy)).stopped).toEqual([]);
    expect(processIdentity(theirs.member)).toBeDefined();
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
