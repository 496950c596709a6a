// Owns OUT/pids.json: every process group and Kubernetes release servebench started and has not
// yet stopped, written (fsynced) before it is relied on, so a run killed with -9 can be cleaned
// up by the next `--resume`. The file is data, never commands: it holds pids (with their start
// time, so a recycled pid is never signalled) and resource names; every cleanup action is derived
// from the plan's own server definitions, and an entry that matches none is reported and ignored.

import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { describeIssue } from "../config/read-schema.js";
import { groupMembers, processIdentity, stopGroup } from "./process-group.js";
import { writeFileDurable } from "./durable-fs.js";

const processEntrySchema = z.object({
  kind: z.literal("process"),
  // pid 0 and 1 (and negative ids) address "our group" or "every process": never valid here.
  pid: z.number().int().min(2),
  pgid: z.number().int().min(2),
  /** /proc/<pid>/stat field 22: with the pid it identifies one process for good. */
  startTicks: z.string().regex(/^\d*$/),
  /** Informational only: never used to decide what to signal. */
  cmdline: z.string().optional(),
  /** The value of MARKER_ENV servebench started the group with (its members inherit it). */
  marker: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  server: z.string().min(1),
  startedAt: z.string(),
});

const kubernetesEntrySchema = z.strictObject({
  kind: z.literal("kubernetes"),
  /** The server's name in the plan. */
  server: z.string().min(1),
  /** The instance (cell id under OUT/servers/) it was started for. */
  instance: z.string().regex(/^[\w.-]+$/),
  startedAt: z.string(),
});

const entrySchema = z.discriminatedUnion("kind", [processEntrySchema, kubernetesEntrySchema]);
const registrySchema = z.object({ entries: z.array(z.unknown()) });

export type ProcessEntry = z.infer<typeof processEntrySchema>;
export type KubernetesEntry = z.infer<typeof kubernetesEntrySchema>;
export type RegistryEntry = ProcessEntry | KubernetesEntry;

/** Reads pids.json, keeping the entries that match the schema and describing the others. */
export function readRegistryFile(path: string): { entries: RegistryEntry[]; rejected: string[] } {
  if (!existsSync(path)) return { entries: [], rejected: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return { entries: [], rejected: [`${path}: not JSON (${(error as Error).message}): ignored`] };
  }
  const top = registrySchema.safeParse(parsed);
  if (!top.success) return { entries: [], rejected: [`${path}: not a servebench pid registry (expected { "entries": [...] }): ignored`] };
  const entries: RegistryEntry[] = [];
  const rejected: string[] = [];
  top.data.entries.forEach((raw, i) => {
    const one = entrySchema.safeParse(raw);
    if (one.success) entries.push(one.data);
    else rejected.push(`${path}: ${describeIssue(one.error, raw, ["entries", i])}: entry ignored`);
  });
  return { entries, rejected };
}

export class PidRegistry {
  private entries: RegistryEntry[];
  /** Entries of the file that did not match the schema (already dropped). */
  readonly rejected: readonly string[];

  constructor(private readonly path: string) {
    const read = readRegistryFile(path);
    this.entries = read.entries;
    this.rejected = read.rejected;
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

/** The environment variable every group servebench starts carries, with a fresh value per group. */
export const MARKER_ENV = "SERVEBENCH_GROUP_MARKER";

/** A random marker for a group about to be spawned (set as MARKER_ENV, recorded in its entry). */
export function newMarker(): string {
  return randomBytes(16).toString("hex");
}

/** Records a freshly spawned group leader with what identifies it. */
export function processEntry(pid: number, server: string, marker?: string): ProcessEntry {
  const id = processIdentity(pid);
  return {
    kind: "process",
    pid,
    pgid: pid,
    startTicks: id?.startTicks ?? "",
    cmdline: id?.cmdline ?? "",
    ...(marker === undefined ? {} : { marker }),
    server,
    startedAt: new Date().toISOString(),
  };
}

/**
 * Whether the recorded group still has members that are ours. While the group's leader exists
 * (running or a zombie) it must have the recorded start time, and then its members started after
 * it are ours. Once the leader is gone its start time proves nothing (the file may have been
 * written by anyone, naming any group whose leader exited): a member is ours only if it carries
 * the marker servebench started the group with. Without a start time (or without /proc to read
 * one) nothing can be proved and nothing is signalled.
 */
export function liveMembers(entry: ProcessEntry): number[] {
  if (entry.startTicks === "" || entry.pgid !== entry.pid) return [];
  if (processIdentity(process.pid) === undefined) return [];
  const leader = processIdentity(entry.pgid);
  if (leader !== undefined && leader.startTicks !== entry.startTicks) return [];
  const marker = entry.marker;
  if (leader === undefined && marker === undefined) return [];
  return groupMembers(entry.pgid).filter((pid) => {
    const id = processIdentity(pid);
    if (id === undefined || BigInt(id.startTicks || "0") < BigInt(entry.startTicks)) return false;
    return leader !== undefined || (marker !== undefined && carriesMarker(pid, marker));
  });
}

/** Whether /proc/<pid>/environ holds MARKER_ENV=<marker> (false when it cannot be read). */
function carriesMarker(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(`${MARKER_ENV}=${marker}`);
  } catch {
    return false;
  }
}

export interface ReapReport {
  stopped: string[];
  skipped: string[];
  /** Entries that did not match the schema or the plan: reported, never acted on. */
  ignored: string[];
}

/** What the plan allows a resume to clean up: everything is derived from its server definitions. */
export interface ReapPolicy {
  /** Server names whose process groups servebench starts (local servers, "<name> port-forward"). */
  processServers: ReadonlySet<string>;
  /** The cleanup argv for a Kubernetes entry, from the plan's spec; undefined when none matches. */
  kubernetesCleanup: (entry: KubernetesEntry) => string[][] | undefined;
  runCleanup: (argv: string[]) => Promise<{ code: number | null; stderr: string }>;
}

/** Stops everything a previous (killed) run left behind; used at the start of every plan run. */
export async function reapRecorded(registry: PidRegistry, policy: ReapPolicy): Promise<ReapReport> {
  const report: ReapReport = { stopped: [], skipped: [], ignored: [...registry.rejected] };
  for (const entry of [...registry.list()]) {
    if (entry.kind === "process") {
      if (!policy.processServers.has(entry.server)) {
        report.ignored.push(`pids.json: process ${entry.pid} of "${entry.server}": the plan starts no such server: not signalled`);
      } else {
        const members = liveMembers(entry);
        if (members.length > 0) {
          const result = await stopGroup(entry.pgid, 5000);
          report.stopped.push(`${entry.server}: process group ${entry.pgid} (${members.length} processes)${result.forced ? ", after SIGKILL" : ""}`);
        } else {
          report.skipped.push(`${entry.server}: pid ${entry.pid} already gone (or not ours)`);
        }
      }
    } else {
      const cleanup = policy.kubernetesCleanup(entry);
      if (cleanup === undefined) {
        report.ignored.push(`pids.json: Kubernetes server "${entry.server}" (instance ${entry.instance}): the plan has no such Kubernetes server: nothing run`);
      }
      for (const argv of cleanup ?? []) {
        const result = await policy.runCleanup(argv);
        const outcome = result.code === 0 ? "ok" : `exit ${String(result.code)}: ${result.stderr.trim().split("\n").pop() ?? ""}`;
        report.stopped.push(`${entry.server}: ${argv.join(" ")} (${outcome})`);
      }
    }
    registry.remove((e) => e === entry);
  }
  if (registry.rejected.length > 0) registry.remove(() => false);
  return report;
}

/** SIGKILLs every recorded process group that is still ours, synchronously (second Ctrl-C). */
export function killRecordedNow(path: string): void {
  for (const entry of readRegistryFile(path).entries) {
    if (entry.kind !== "process" || liveMembers(entry).length === 0) continue;
    try {
      process.kill(-entry.pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
