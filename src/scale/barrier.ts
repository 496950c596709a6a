// Owns the file barrier through a directory every shard can write (--barrier-dir: the shared
// volume of a Kubernetes run, a temporary directory for --distributed): arrival markers, "left"
// markers, and the one decision file that the first shard to decide publishes exclusively, so
// every shard starts at the instant it names. Never hangs: it gives up after a timeout.

import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../clock.js";
import { BenchError } from "../errors.js";
import { barrierVerdict, type BarrierArrival } from "./level-schedule.js";

export interface BarrierResult {
  /** The common instant (epoch ms) every shard starts at. */
  atEpochMs: number;
  /** The barrier gave up on the shards in `missing`. */
  timedOut: boolean;
  missing: number[];
  /** The shard that published the decision (null when a waiter that is no shard did). */
  decidedBy: number | null;
}

export interface AwaitOptions {
  dir: string;
  /** e.g. `level-0.done`: markers are `<name>.shard-<i>.json`, the decision `<name>.start.json`. */
  name: string;
  count: number;
  /** This shard's index (recorded in a decision it publishes); undefined for a pure waiter. */
  self?: number;
  /** Shards not waited for (they missed an earlier barrier). */
  skip?: ReadonlySet<number>;
  timeoutMs: number;
  marginMs: number;
  pollMs?: number;
  giveUpAtEpochMs?: number;
  /** The wall clock (epoch ms), injectable for tests. */
  clock: Clock;
  signal?: AbortSignal;
}

interface Decision {
  at_epoch_ms: number;
  timed_out: boolean;
  missing: number[];
  decided_by: number | null;
}

function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Absent, or caught between create and write: not there yet.
    return undefined;
  }
}

function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (cause) {
    throw new BenchError("E_IO", `--barrier-dir: cannot create ${dir}: ${(cause as Error).message}`, { where: "--barrier-dir", cause });
  }
}

/** Shard `shard` reached barrier `name` at `atEpochMs` (it finished the level, or its warmups). */
export function arrive(dir: string, name: string, shard: number, atEpochMs: number): void {
  ensureDir(dir);
  writeAtomic(join(dir, `${name}.shard-${shard}.json`), JSON.stringify({ shard, at_epoch_ms: atEpochMs }));
}

/** Shard `shard` stops (finished, failed or interrupted): no barrier waits for it any more. */
export function leave(dir: string, shard: number, status: string): void {
  ensureDir(dir);
  writeAtomic(join(dir, `shard-${shard}.left.json`), JSON.stringify({ shard, status, at_epoch_ms: Date.now() }));
}

function readDecision(dir: string, name: string): BarrierResult | undefined {
  const d = readJson(join(dir, `${name}.start.json`)) as Partial<Decision> | undefined;
  if (d === undefined || typeof d.at_epoch_ms !== "number") return undefined;
  return { atEpochMs: d.at_epoch_ms, timedOut: d.timed_out === true, missing: Array.isArray(d.missing) ? d.missing : [], decidedBy: d.decided_by ?? null };
}

/**
 * Publishes a decision unless another shard already did; returns the one that stands. A hard
 * link is atomic and exclusive on local and network file systems alike (the classic NFS lock);
 * where links are not supported, an exclusive create is the fallback.
 */
function publish(dir: string, name: string, decision: Decision): BarrierResult | undefined {
  const path = join(dir, `${name}.start.json`);
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const content = JSON.stringify(decision);
  writeFileSync(tmp, content);
  try {
    linkSync(tmp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") {
      try {
        writeFileSync(path, content, { flag: "wx" });
      } catch (inner) {
        if ((inner as NodeJS.ErrnoException).code !== "EEXIST")
          throw new BenchError("E_IO", `--barrier-dir: cannot write ${path}: ${(inner as Error).message}`, { where: "--barrier-dir", cause: inner });
      }
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone: nothing to clean.
    }
  }
  return readDecision(dir, name);
}

/** Waits until every expected shard arrived at `name` (or the barrier gives up) and returns the common instant. */
export async function awaitBarrier(o: AwaitOptions): Promise<BarrierResult> {
  ensureDir(o.dir);
  const pollMs = o.pollMs ?? 200;
  const seen = new Map<number, number>();
  const gone = new Set<number>();
  for (;;) {
    const decided = readDecision(o.dir, o.name);
    if (decided !== undefined) return decided;
    for (let i = 0; i < o.count; i++) {
      if (seen.has(i)) continue;
      const marker = readJson(join(o.dir, `${o.name}.shard-${i}.json`));
      if (typeof marker?.["at_epoch_ms"] === "number") seen.set(i, marker["at_epoch_ms"]);
      else if (!gone.has(i) && readJson(join(o.dir, `shard-${i}.left.json`)) !== undefined) gone.add(i);
    }
    const arrivals: BarrierArrival[] = [...seen].map(([shard, atEpochMs]) => ({ shard, atEpochMs }));
    const expected = Array.from({ length: o.count }, (_, i) => i).filter((i) => !gone.has(i) && o.skip?.has(i) !== true);
    const nowEpochMs = o.clock.nowMs();
    const verdict = barrierVerdict({
      arrivals,
      expected,
      nowEpochMs,
      timeoutMs: o.timeoutMs,
      marginMs: o.marginMs,
      ...(o.giveUpAtEpochMs === undefined ? {} : { giveUpAtEpochMs: o.giveUpAtEpochMs }),
    });
    if (verdict.kind === "start") {
      const standing = publish(o.dir, o.name, {
        at_epoch_ms: verdict.atEpochMs,
        timed_out: verdict.timedOut,
        missing: verdict.missing,
        decided_by: o.self ?? null,
      });
      if (standing !== undefined) return standing;
    }
    if (o.signal?.aborted === true) return { atEpochMs: nowEpochMs, timedOut: false, missing: [], decidedBy: null };
    const deadline = verdict.kind === "wait" ? verdict.deadlineEpochMs : Infinity;
    await o.clock.sleepUntil(Math.min(nowEpochMs + pollMs, deadline), o.signal);
  }
}
