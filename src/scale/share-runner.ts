// Owns running one share of a level in this thread: the share's load (its concurrency, or its
// rate with its own seeded arrival process and phase) through load/runner, with local job
// indices mapped to global request indices. Knows nothing of HTTP: `send` does the request.

import type { Clock } from "../clock.js";
import type { ArrivalKind } from "../load/arrivals.js";
import { runLevel, type LevelRunResult, type LoadLevel } from "../load/runner.js";
import { createRng, deriveSeed } from "../workload/random.js";
import { globalIndex, type LevelShare } from "./load-split.js";

export interface ShareRunOptions {
  level: number;
  share: LevelShare;
  arrival: ArrivalKind;
  burstiness: number;
  seed: number;
  durationMs?: number | undefined;
  clock: Clock;
  signal: AbortSignal;
  /** Sends the request with this global index, due at `scheduledAtMs` (clock ms); never rejects. */
  send: (index: number, scheduledAtMs: number, signal: AbortSignal) => Promise<void>;
}

/**
 * The arrival seed of a share. The undivided level keeps the single-process seed, so a run
 * split into one share sends at exactly the same instants as before.
 */
export function shareArrivalSeed(seed: number, level: number, share: LevelShare): number {
  const base = seed * 7919 + level + 1;
  const steps = share.path.filter((s) => s.count > 1);
  return steps.length === 0 ? base : deriveSeed(base, ...steps.flatMap((s) => [s.index, s.count]));
}

/** The load/runner level for a share. */
export function shareLoadLevel(options: Omit<ShareRunOptions, "clock" | "signal" | "send">): LoadLevel {
  const { share } = options;
  const load: LoadLevel =
    share.load.kind === "concurrency"
      ? { kind: "concurrency", concurrency: share.load.concurrency, requests: share.requests }
      : {
          kind: "rate",
          ratePerSec: share.load.ratePerSec,
          arrival: options.arrival,
          burstiness: options.burstiness,
          requests: share.requests,
          random: createRng(shareArrivalSeed(options.seed, options.level, share)),
          ...(share.load.maxConcurrency === undefined ? {} : { maxConcurrency: share.load.maxConcurrency }),
        };
  if (options.durationMs !== undefined) load.durationMs = options.durationMs;
  return load;
}

/** Runs the share to completion (or abort); an empty share returns at once. */
export async function runShare(options: ShareRunOptions): Promise<LevelRunResult> {
  const { share, clock, signal } = options;
  const empty = share.requests === 0 || (share.load.kind === "concurrency" && share.load.concurrency === 0);
  if (empty) return { startedAtMs: clock.nowMs(), dispatched: 0, interrupted: signal.aborted };
  // Poisson shares need no phase (memoryless); constant and gamma shares start staggered so
  // their superposition keeps the requested spacing.
  if (share.load.kind === "rate" && options.arrival !== "poisson" && share.load.phaseMs > 0) {
    await clock.sleepUntil(clock.nowMs() + share.load.phaseMs, signal);
  }
  return runLevel(shareLoadLevel(options), {
    clock,
    signal,
    dispatch: (job, jobSignal) => options.send(globalIndex(share, job.index), job.scheduledAtMs, jobSignal),
  });
}
