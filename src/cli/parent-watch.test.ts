// Stopping when whoever started servebench is gone: its parent, or under npm the npm process
// behind the `sh -c` it runs us through (a supervisor that kills npx leaves that shell waiting).

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { npmAncestor, watchesParent, watchParent, type ProcReader } from "./parent-watch.js";

/** A process table: pid → [parent, name]. */
function table(rows: Record<number, [number, string]>): ProcReader {
  return { parentOf: (pid) => rows[pid]?.[0], nameOf: (pid) => rows[pid]?.[1] };
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("npmAncestor", () => {
  const procs = table({ 30: [20, "sh"], 20: [10, "npm exec servebench"], 40: [10, "bash"] });
  it("is npm behind the shell when npm started us", () => {
    expect(npmAncestor({ npm_command: "exec" }, 30, procs)).toBe(20);
  });
  it("is nothing without npm, when the parent is not a shell, or when the shell is already an orphan", () => {
    expect(npmAncestor({}, 30, procs)).toBeUndefined();
    expect(npmAncestor({ npm_command: "exec" }, 20, procs)).toBeUndefined();
    expect(npmAncestor({ npm_command: "exec" }, 99, procs)).toBeUndefined();
    expect(npmAncestor({ npm_command: "run-script" }, 30, table({ 30: [1, "sh"] }))).toBeUndefined();
  });
});

describe("watchesParent", () => {
  it("watches under npm and when servebench started the process, not when a shell did (nohup must work)", () => {
    expect(watchesParent({ npm_command: "exec" })).toBe(true);
    expect(watchesParent({ SERVEBENCH_COORDINATED: "1" })).toBe(true);
    expect(watchesParent({ SERVEBENCH_WATCH_PARENT: "1" })).toBe(true);
    expect(watchesParent({ SHELL: "/bin/bash" })).toBe(false);
  });
});

describe("watchParent", () => {
  it("stops once when the shell loses npm, not while it keeps it or /proc cannot be read", async () => {
    const rows: Record<number, [number, string]> = { 30: [20, "sh"] };
    let kills = 0;
    const stop = watchParent(
      5,
      () => kills++,
      table(rows),
      { npm_command: "exec" },
      () => 30,
    );
    await tick(30);
    expect(kills).toBe(0);
    delete rows[30];
    await tick(30);
    expect(kills).toBe(0);
    rows[30] = [1, "sh"];
    await tick(30);
    expect(kills).toBe(1);
    stop();
  });

  it.each([
    { startedBy: "a coordinator", env: { SERVEBENCH_COORDINATED: "1" }, kills: 1 },
    { startedBy: "a shell (not watched at all)", env: {}, kills: 0 },
  ])("when its own parent changes, started by $startedBy: $kills stop(s)", async ({ env, kills: expected }) => {
    let parent = 30;
    let kills = 0;
    const stop = watchParent(
      5,
      () => kills++,
      table({}),
      env,
      () => parent,
    );
    await tick(20);
    expect(kills).toBe(0);
    parent = 1;
    await tick(30);
    expect(kills).toBe(expected);
    stop();
  });

  it.skipIf(process.platform !== "linux")(
    "a real `sh -c` under a killed fake npm: servebench simulate notices and exits",
    async () => {
      const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
      // `; true` keeps the shell from exec-ing node, as npm's `sh -c` stays between npm and us.
      const script = `require("node:child_process").spawn("sh", ["-c", ${JSON.stringify(`"${process.execPath}" "${cli}" simulate --port 0 --print-url; true`)}], { stdio: "inherit" }); setInterval(() => {}, 1000);`;
      // Its own process group: if servebench did not stop, the test still kills the shell and it.
      const npm = spawn(process.execPath, ["-e", script], { env: { ...process.env, npm_command: "exec" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
      const group = npm.pid ?? 0;
      let out = "";
      let err = "";
      npm.stdout.on("data", (d: Buffer) => (out += d.toString()));
      npm.stderr.on("data", (d: Buffer) => (err += d.toString()));
      for (let i = 0; i < 200 && !/http:\/\/127\.0\.0\.1:\d+/.test(out); i++) await tick(50);
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[0];
      expect(url, out + err).toBeDefined();
      npm.kill("SIGKILL");
      let alive = true;
      for (let i = 0; i < 100 && alive; i++) {
        await tick(100);
        alive = await fetch(`${url ?? ""}/health`).then(
          () => true,
          () => false,
        );
      }
      try {
        expect(alive).toBe(false);
        expect(err).toMatch(/the parent process \(pid \d+\) went away/);
      } finally {
        try {
          process.kill(-group, "SIGKILL");
        } catch {
          // The group is gone already.
        }
      }
    },
    30_000,
  );
});
