// Owns noticing that the process which started servebench went away (npx killed by a supervisor
// or `timeout`, a coordinator or plan runner killed): servebench then behaves as on SIGTERM, so
// nothing is left running on its own. Started directly (a shell, nohup, systemd) it does not watch.

import { readFileSync } from "node:fs";
import { WATCH_PARENT_ENV } from "../plan/process-group.js";
import { COORDINATED_ENV } from "../scale/local-distributed.js";

const POLL_MS = 1000;
const SHELLS = new Set(["sh", "dash", "bash", "zsh"]);

/** What the watch reads about other processes (Linux /proc; undefined where it cannot). */
export interface ProcReader {
  /** The process's parent pid. */
  parentOf(pid: number): number | undefined;
  /** The process's command name. */
  nameOf(pid: number): string | undefined;
}

const linuxProc: ProcReader = {
  parentOf(pid) {
    try {
      // Field 4 of /proc/<pid>/stat, after the parenthesised name (which may hold spaces).
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      return Number.isInteger(ppid) ? ppid : undefined;
    } catch {
      return undefined;
    }
  },
  nameOf(pid) {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
      return undefined;
    }
  },
};

/**
 * Whether the parent is a wrapper whose death means "stop": npm (npm_command), or a servebench
 * that started this process. A shell is not: `nohup servebench run … &` must outlive it.
 */
export function watchesParent(env: NodeJS.ProcessEnv): boolean {
  return env["npm_command"] !== undefined || env[COORDINATED_ENV] === "1" || env[WATCH_PARENT_ENV] === "1";
}

/**
 * The process whose death should stop servebench besides its parent: under npm (`npx`, `npm
 * exec`, `npm run`: npm sets npm_command) npm starts us through `sh -c`, and a supervisor kills
 * npm, leaving that shell waiting for us. Then the shell's parent, npm, is watched too.
 */
export function npmAncestor(env: NodeJS.ProcessEnv, parent: number, proc: ProcReader): number | undefined {
  if (env["npm_command"] === undefined) return undefined;
  const name = proc.nameOf(parent);
  if (name === undefined || !SHELLS.has(name)) return undefined;
  const grandparent = proc.parentOf(parent);
  return grandparent === undefined || grandparent <= 1 ? undefined : grandparent;
}

/**
 * When watchesParent: polls process.ppid (and, under npm, whether our shell still has npm as its parent); when either
 * changes (a process died and its child was re-parented), sends this process SIGTERM once:
 * commands with a handler stop cleanly, the others end as on SIGTERM.
 * The timer is unref'd, so it never keeps the process alive.
 */
export function watchParent(
  pollMs = POLL_MS,
  kill: () => void = () => process.kill(process.pid, "SIGTERM"),
  proc: ProcReader = linuxProc,
  env: NodeJS.ProcessEnv = process.env,
  ownParent: () => number = () => process.ppid,
): () => void {
  if (!watchesParent(env)) return () => undefined;
  const parent = ownParent();
  const npm = npmAncestor(env, parent, proc);
  const timer = setInterval(() => {
    let gone: number | undefined;
    if (ownParent() !== parent) gone = parent;
    else if (npm !== undefined) {
      // undefined: unreadable right now (or the shell is gone, which the first test sees).
      const shellParent = proc.parentOf(parent);
      if (shellParent !== undefined && shellParent !== npm) gone = npm;
    }
    if (gone === undefined) return;
    clearInterval(timer);
    process.stderr.write(`servebench: the parent process (pid ${gone}) went away: stopping as on SIGTERM\n`);
    kill();
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
