// Owns child process groups: spawning a server detached (its own group, output straight to a log
// file so it survives us), stopping the whole group (SIGTERM, SIGKILL after a grace period, then
// confirming it is gone), and telling one of our processes from an unrelated one with a recycled pid.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";

/** Set to "1" for the servers a plan launches: a launched `servebench simulate` stops if the runner is killed (cli/parent-watch.ts). */
export const WATCH_PARENT_ENV = "SERVEBENCH_WATCH_PARENT";

export interface SpawnedGroup {
  child: ChildProcess;
  pid: number;
  /** Resolves once the leader exits: "exited with code 1" / "killed by SIGKILL" / "could not start: ...". */
  exited: Promise<string>;
  hasExited(): boolean;
}

export function spawnGroup(argv: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFd: number }): Promise<SpawnedGroup> {
  const [command, ...args] = argv;
  return new Promise((resolve, reject) => {
    const env = { ...options.env, [WATCH_PARENT_ENV]: "1" };
    const child = spawn(command ?? "", args, { cwd: options.cwd, env, detached: true, stdio: ["ignore", options.logFd, options.logFd] });
    let exitReason: string | undefined;
    const exited = new Promise<string>((done) => {
      child.once("exit", (code, signal) => {
        exitReason = signal === null ? `exited with code ${String(code)}` : `killed by ${signal}`;
        done(exitReason);
      });
      child.once("error", (error) => {
        exitReason = `could not start: ${error.message}`;
        done(exitReason);
      });
    });
    child.once("spawn", () => {
      if (child.pid === undefined) return reject(new Error("spawned without a pid"));
      resolve({ child, pid: child.pid, exited, hasExited: () => exitReason !== undefined });
    });
    child.once("error", (error) => reject(new Error(`could not start ${command ?? ""}: ${error.message}`)));
  });
}

export interface ProcessIdentity {
  pid: number;
  pgid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): unique with the pid. */
  startTicks: string;
  cmdline: string;
  zombie: boolean;
}

const HAS_PROC = existsSync("/proc/self/stat");

/** Reads /proc/<pid>: undefined when the process is gone (or on systems without /proc). */
export function processIdentity(pid: number): ProcessIdentity | undefined {
  if (!HAS_PROC) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((s) => s !== "")
      .join(" ");
    return { pid, pgid: Number(fields[2]), startTicks: fields[19] ?? "", cmdline, zombie: fields[0] === "Z" || fields[0] === "X" };
  } catch {
    return undefined;
  }
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  if (!HAS_PROC) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const id = processIdentity(Number(entry));
    if (id !== undefined && id.pgid === pgid && !id.zombie) members.push(id.pid);
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (groupMembers(pgid).length === 0) return true;
    if (performance.now() >= deadline) return false;
    await sleep(Math.min(100, Math.max(10, deadline - performance.now())));
  }
}

export interface StopResult {
  /** True when SIGKILL was needed. */
  forced: boolean;
  /** Pids still alive after SIGKILL (should be empty). */
  survivors: number[];
}

/** SIGTERM to the group; SIGKILL after `graceMs`; then confirms no member is left. */
export async function stopGroup(pgid: number, graceMs: number): Promise<StopResult> {
  signalGroup(pgid, "SIGTERM");
  if (await waitGone(pgid, graceMs)) return { forced: false, survivors: [] };
  signalGroup(pgid, "SIGKILL");
  await waitGone(pgid, 5000);
  return { forced: true, survivors: groupMembers(pgid) };
}

/** Immediate SIGKILL to a group (second Ctrl-C). Synchronous so it can run in a signal handler. */
export function killGroupNow(pgid: number): void {
  signalGroup(pgid, "SIGKILL");
}
