// Owns OUT/pids.json: every process group and Kubernetes release servebench started and has not
// yet stopped, written (fsynced) before it is relied on, so a run killed with -9 can be cleaned
// up by the next `--resume`. A recorded pid is only signalled if its start time (or, where that
// is unknown, its command line) still matches, so a recycled pid is never killed.

import { existsSync, readFileSync } from "node:fs";
import { groupMembers, processIdentity, stopGroup } from "./process-group.js";
import { writeFileDurable } from "./durable-fs.js";

export interface ProcessEntry {
  kind: "process";
  pid: number;
  pgid: number;
  startTicks: string;
  cmdline: string;
  server: string;
  startedAt: string;
}

export interface KubernetesEntry {
  kind: "kubernetes";
  server: string;
  /** argv lists that delete what was created (helm uninstall / kubectl delete). */
  cleanup: string[][];
  startedAt: string;
}

export type RegistryEntry = ProcessEntry | KubernetesEntry;

export class PidRegistry {
  private entries: RegistryEntry[];

  constructor(private readonly path: string) {
    this.entries = readEntries(path);
  }

  list(): readonly RegistryEntry[] {
    return this.entries;
  }

  add(entry: RegistryEntry): void {
    this.entries.push(entry);
    this.save();
  }

  remove(match: (entry: RegistryEntry) => boolean): void {
    this.entries = this.entries.filter((e) => !match(e));
    this.save();
  }

  private save(): void {
    writeFileDurable(this.path, `${JSON.stringify({ entries: this.entries }, null, 2)}\n`);
  }
}

function readEntries(path: string): RegistryEntry[] {
  if (!existsSync(path)) return [];
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { entries?: RegistryEntry[] };
    return Array.isArray(parsed.entries) ? parsed.entries : [];
  } catch {
    return [];
  }
}

/** Records a freshly spawned group leader with what identifies it. */
export function processEntry(pid: number, server: string): ProcessEntry {
  const id = processIdentity(pid);
  return { kind: "process", pid, pgid: pid, startTicks: id?.startTicks ?? "", cmdline: id?.cmdline ?? "", server, startedAt: new Date().toISOString() };
}

/**
 * Whether the recorded group still has members that are ours. If a process with the group's id
 * exists it must be our leader (same start time and command line); if the leader is gone, the id
 * cannot have been reused while members remain, so the remaining members are its children.
 */
export function liveMembers(entry: ProcessEntry): number[] {
  const leader = processIdentity(entry.pgid);
  if (leader !== undefined && !leader.zombie) {
    // pid + start time identify a process for good; the command line is only a fallback, because a
    // launcher script that `exec`s the server changes it.
    const same = entry.startTicks !== "" ? leader.startTicks === entry.startTicks : leader.cmdline === entry.cmdline;
    if (!same) return [];
  }
  return groupMembers(entry.pgid).filter((pid) => {
    const id = processIdentity(pid);
    return id === undefined || entry.startTicks === "" || BigInt(id.startTicks || "0") >= BigInt(entry.startTicks);
  });
}

export interface ReapReport {
  stopped: string[];
  skipped: string[];
}

/** Stops everything a previous (killed) run left behind; used at the start of every plan run. */
export async function reapRecorded(
  registry: PidRegistry,
  runCleanup: (argv: string[]) => Promise<{ code: number | null; stderr: string }>,
): Promise<ReapReport> {
  const report: ReapReport = { stopped: [], skipped: [] };
  for (const entry of [...registry.list()]) {
    if (entry.kind === "process") {
      const members = liveMembers(entry);
      if (members.length > 0) {
        const result = await stopGroup(entry.pgid, 5000);
        report.stopped.push(`${entry.server}: process group ${entry.pgid} (${members.length} processes)${result.forced ? ", after SIGKILL" : ""}`);
      } else {
        report.skipped.push(`${entry.server}: pid ${entry.pid} already gone`);
      }
    } else {
      for (const argv of entry.cleanup) {
        const result = await runCleanup(argv);
        const outcome = result.code === 0 ? "ok" : `exit ${String(result.code)}: ${result.stderr.trim().split("\n").pop() ?? ""}`;
        report.stopped.push(`${entry.server}: ${argv.join(" ")} (${outcome})`);
      }
    }
    registry.remove((e) => e === entry);
  }
  return report;
}

/** SIGKILLs every recorded process group that is still ours, synchronously (second Ctrl-C). */
export function killRecordedNow(path: string): void {
  for (const entry of readEntries(path)) {
    if (entry.kind !== "process" || liveMembers(entry).length === 0) continue;
    try {
      process.kill(-entry.pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
