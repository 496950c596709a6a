// Owns running one load level: closed loop (fixed concurrency) or open loop (arrival rate).
// It decides *when* each request is due and hands it to a Dispatch; it never imports the
// HTTP client. Latency downstream is measured from job.scheduledAtMs, never from the send,
// so a late or queued send cannot hide (no coordinated omission).

import type { Clock } from "../clock.js";
import { arrivalGapsMs, type ArrivalKind } from "./arrivals.js";

export interface Job {
  /** 0-based index within the level. */
  index: number;
  /** When the schedule says this request is due (clock ms). */
  scheduledAtMs: number;
}

/** Sends one request; must resolve (never reject) when the target misbehaves. */
export type Dispatch = (job: Job, signal: AbortSignal) => Promise<void>;

export type LoadLevel =
  | { kind: "concurrency"; concurrency: number; requests: number; durationMs?: number }
  | {
      kind: "rate";
      ratePerSec: number;
      arrival: ArrivalKind;
      burstiness: number;
      requests: number;
      durationMs?: number;
      /** Cap on requests in flight; a due request waits for a slot and the wait counts as latency. */
      maxConcurrency?: number;
      random: () => number;
    };

export interface LevelRunOptions {
  clock: Clock;
  dispatch: Dispatch;
  /** Aborting stops new sends and aborts in-flight requests (Ctrl-C). */
  signal: AbortSignal;
}

export interface LevelRunResult {
  startedAtMs: number;
  /** Number of jobs handed to dispatch. */
  dispatched: number;
  /** True when the signal aborted the level before its natural end. */
  interrupted: boolean;
}

/**
 * Runs a level to completion: stops issuing at `requests` or `durationMs` (whichever first),
 * then drains in-flight requests (each bounded by the client's own timeout).
 */
export async function runLevel(level: LoadLevel, options: LevelRunOptions): Promise<LevelRunResult> {
  const startedAtMs = options.clock.nowMs();
  const deadlineMs = level.durationMs === undefined ? Infinity : startedAtMs + level.durationMs;
  const dispatched =
    level.kind === "concurrency"
      ? await runClosedLoop(level, options, deadlineMs)
      : await runOpenLoop(level, options, startedAtMs, deadlineMs);
  return { startedAtMs, dispatched, interrupted: options.signal.aborted };
}

async function runClosedLoop(
  level: Extract<LoadLevel, { kind: "concurrency" }>,
  { clock, dispatch, signal }: LevelRunOptions,
  deadlineMs: number,
): Promise<number> {
  let next = 0;
  // Each slot sends its next request the moment its previous one ends: in a closed loop the
  // due time *is* the moment the slot frees up.
  const slot = async (): Promise<void> => {
    for (;;) {
      if (signal.aborted || next >= level.requests) return;
      const scheduledAtMs = clock.nowMs();
      if (scheduledAtMs >= deadlineMs) return;
      const index = next++;
      await dispatch({ index, scheduledAtMs }, signal);
    }
  };
  const slots = Math.min(level.concurrency, level.requests);
  await Promise.all(Array.from({ length: slots }, slot));
  return next;
}

async function runOpenLoop(
  level: Extract<LoadLevel, { kind: "rate" }>,
  { clock, dispatch, signal }: LevelRunOptions,
  startedAtMs: number,
  deadlineMs: number,
): Promise<number> {
  const nextGapMs = arrivalGapsMs({
    kind: level.arrival,
    ratePerSec: level.ratePerSec,
    burstiness: level.burstiness,
    random: level.random,
  });
  const inFlight = new Set<Promise<void>>();
  const cap = level.maxConcurrency ?? Infinity;
  let dueAtMs = startedAtMs;
  let index = 0;
  for (; index < level.requests; index++) {
    // The first request is due at the start; each later one a sampled gap after the previous.
    if (index > 0) dueAtMs += nextGapMs();
    if (dueAtMs >= deadlineMs) break;
    await clock.sleepUntil(dueAtMs, signal);
    while (inFlight.size >= cap && !signal.aborted) await Promise.race(inFlight);
    if (signal.aborted) break;
    const running = dispatch({ index, scheduledAtMs: dueAtMs }, signal).finally(() => {
      inFlight.delete(running);
    });
    inFlight.add(running);
  }
  await Promise.all(inFlight);
  return index;
}
