// Owns the one seam between a run's level and scale-out: given the level's LoadLevel and
// Dispatch, run this shard's part of it (--shard I/N), in this thread or on worker threads
// (--workers N). Local job indices become global request indices, so ids stay unique.

import type { ClientOptions } from "../client/http-client.js";
import type { RequestRecord } from "../client/record.js";
import { runLevel, type LevelRunOptions, type LevelRunResult, type LoadLevel } from "../load/runner.js";
import { createRng } from "../workload/random.js";
import type { RequestSpec } from "../workload/request-spec.js";
import { globalIndex, splitShare, type LevelShare, type ShareStep } from "./load-split.js";
import type { ScaleContext } from "./scale-context.js";
import { shareArrivalSeed } from "./share-runner.js";
import { runLevelOnWorkers } from "./worker-coordinator.js";

/** What worker threads need to send requests themselves (plain requests only: no sessions). */
export interface ThreadSupport {
  client: ClientOptions;
  originMs: number;
  specAt: (index: number) => RequestSpec;
  poolSize: number;
  /** Records sent by workers, handed back in arrival order (write, count, progress). */
  onRecord: (record: RequestRecord, text: string | undefined) => void;
  maxTexts: number;
}

export interface SeamInput {
  level: number;
  seed: number;
  connections: number;
  /** The run's --warmup count (shard k sends warmups k, k+n, ...). */
  warmup: number;
  scale: ScaleContext;
  /** Absent for levels threads cannot run (multi-turn sessions): those run in this thread. */
  threads?: ThreadSupport;
}

/** The level as a LevelShare (the unit load-split divides). */
function asShare(load: LoadLevel, connections: number): LevelShare {
  const requests = load.requests;
  if (load.kind === "concurrency")
    return {
      path: [],
      load: { kind: "concurrency", concurrency: load.concurrency },
      requests,
      firstIndex: 0,
      indexStride: 1,
      warmupFirst: 0,
      warmupCount: 0,
      connections,
    };
  const cap = load.maxConcurrency === undefined ? {} : { maxConcurrency: load.maxConcurrency };
  const ratePerSec = load.kind === "rate" ? load.ratePerSec : 1;
  return {
    path: [],
    load: { kind: "rate", ratePerSec, phaseMs: 0, ...cap },
    requests,
    firstIndex: 0,
    indexStride: 1,
    warmupFirst: 0,
    warmupCount: 0,
    connections,
  };
}

export interface ShardPart {
  load: LoadLevel;
  share: LevelShare;
  toGlobal: (local: number) => number;
  phaseMs: number;
}

/** This shard's part of a level; the whole level when there is no shard. */
export function shardPart(load: LoadLevel, connections: number, level: number, seed: number, shard: ShareStep | undefined): ShardPart {
  const whole = asShare(load, connections);
  if (shard === undefined || shard.count === 1) return { load, share: whole, toGlobal: (i) => i, phaseMs: 0 };
  if (load.kind === "schedule") {
    // A replayed trace: shard k sends arrivals k, k+n, k+2n, ... at their recorded times.
    const offsetsMs = load.offsetsMs.filter((_, i) => i % shard.count === shard.index);
    const requests = Math.min(load.requests, offsetsMs.length);
    const share: LevelShare = { ...whole, path: [shard], requests, firstIndex: shard.index, indexStride: shard.count };
    return { load: { ...load, offsetsMs, requests }, share, toGlobal: (j) => shard.index + j * shard.count, phaseMs: 0 };
  }
  const share = splitShare(whole, shard.count)[shard.index] as LevelShare;
  const toGlobal = (j: number): number => globalIndex(share, j);
  if (share.load.kind === "concurrency") {
    return { load: { ...load, concurrency: share.load.concurrency, requests: share.requests } as LoadLevel, share, toGlobal, phaseMs: 0 };
  }
  const { maxConcurrency: _cap, ...rest } = load as Extract<LoadLevel, { kind: "rate" }>;
  const part: LoadLevel = {
    ...rest,
    ratePerSec: share.load.ratePerSec,
    requests: share.requests,
    random: createRng(shareArrivalSeed(seed, level, share)),
    ...(share.load.maxConcurrency === undefined ? {} : { maxConcurrency: share.load.maxConcurrency }),
  };
  const phaseMs = rest.arrival === "poisson" ? 0 : share.load.phaseMs;
  return { load: part, share, toGlobal, phaseMs };
}

/** Runs this process's part of the level; `run.dispatch` receives global job indices. */
export async function runLevelScaled(load: LoadLevel, run: LevelRunOptions, input: SeamInput): Promise<LevelRunResult> {
  const part = shardPart(load, input.connections, input.level, input.seed, input.scale.shard);
  const workers = input.scale.workers;
  const shard = input.scale.shard;
  const warmups = Array.from({ length: input.warmup }, (_, i) => i).filter((i) => shard === undefined || i % shard.count === shard.index).length;
  input.scale.planned(input.level, part.load.requests, warmups);
  const empty = part.load.requests === 0 || (part.load.kind === "concurrency" && part.load.concurrency === 0);
  if (empty) return { startedAtMs: run.clock.nowMs(), dispatched: 0, interrupted: run.signal.aborted };
  // Threads run plain concurrency/rate shares; ramps and sessions stay in this thread.
  if (workers > 1 && input.threads !== undefined && part.load.kind !== "schedule" && part.load.rampMs === undefined) {
    return runOnThreads(part, run, input, input.threads);
  }
  if (part.phaseMs > 0) await run.clock.sleepUntil(run.clock.nowMs() + part.phaseMs, run.signal);
  return runLevel(part.load, { ...run, dispatch: (job, signal) => run.dispatch({ ...job, index: part.toGlobal(job.index) }, signal) });
}

async function runOnThreads(part: ShardPart, run: LevelRunOptions, input: SeamInput, t: ThreadSupport): Promise<LevelRunResult> {
  const startedAtMs = run.clock.nowMs();
  let dispatched = 0;
  const load = part.load as Exclude<LoadLevel, { kind: "schedule" }>;
  const result = await runLevelOnWorkers({
    workers: input.scale.workers,
    level: input.level,
    share: part.share,
    arrival: load.kind === "rate" ? load.arrival : "poisson",
    burstiness: load.kind === "rate" ? load.burstiness : 1,
    seed: input.seed,
    durationMs: load.durationMs,
    client: t.client,
    originMs: t.originMs,
    specAt: t.specAt,
    poolSize: t.poolSize,
    warmupSpecAt: () => {
      throw new Error("warmups run in the coordinating thread");
    },
    maxTexts: t.maxTexts,
    signal: run.signal,
    keep: (record, text) => {
      if (!record.warmup) dispatched++;
      t.onRecord(record, text);
    },
    beforeMeasured: async () => {},
  });
  input.scale.addWorkerStats({ level: input.level, workers: result.workers, coordinator: result.coordinator });
  return { startedAtMs, dispatched, interrupted: result.interrupted };
}
