// Owns running one load level: closed loop (fixed concurrency), open loop (arrival rate) or a
// recorded schedule (trace replay), each optionally ramped up from zero. It decides *when* each
// request is due and hands it to a Dispatch; it never imports the HTTP client. Latency downstream
// is measured from job.scheduledAtMs, never from the send, so a late or queued send cannot hide.

import type { Clock } from "../clock.js";
import { arrivalGapsMs, type ArrivalKind } from "./arrivals.js";
import { rampedOffsetMs } from "./ramp.js";

export interface Job {
  /** 0-based index within the level. */
  index: number;
  /** When the schedule says this request is due (clock ms). */
  scheduledAtMs: number;
}

/** Sends one request; must resolve (never reject) when the target misbehaves. */
export type Dispatch = (job: Job, signal: AbortSignal) => Promise<void>;

interface Common {
  requests: number;
  durationMs?: number;
  /** Ramp from zero to the full load over this long (concurrency: slots join evenly; rate: linear rate). */
  rampMs?: number;
}

export type LoadLevel =
  | ({ kind: "concurrency"; concurrency: number } & Common)
  | ({
      kind: "rate";
      ratePerSec: number;
      arrival: ArrivalKind;
      burstiness: number;
      /** Cap on requests in flight; a due request waits for a slot and the wait counts as latency. */
      maxConcurrency?: number;
      random: () => number;
    } & Common)
  | ({
      kind: "schedule";
      /** Due times relative to the level start, ascending (a replayed trace, already time-scaled). */
      offsetsMs: readonly number[];
      maxConcurrency?: number;
    } & Common);

export interface LevelRunOptions {
  clock: Clock;
  dispatch: Dispatch;
  /** Aborting stops new sends and aborts in-flight requests (Ctrl-C). */
  signal: AbortSignal;
  /** Asked before each send: a reason to stop issuing (over-saturation, error rate), or undefined. */
  shouldStop?: () => string | undefined;
  /**
   * Closed loop: awaited before a slot takes its next job (a back-off from a server that refuses
   * connections). The wait is not latency: the job is scheduled when it resolves.
   */
  pace?: (signal: AbortSignal) => Promise<void>;
}

export interface LevelRunResult {
  startedAtMs: number;
  /** Number of jobs handed to dispatch. */
  dispatched: number;
  /** True when the signal aborted the level before its natural end. */
  interrupted: boolean;
  /** Why the level stopped issuing early (shouldStop's reason), if it did. */
  stoppedEarly?: string;
}

/**
 * Runs a level to completion: stops issuing at `requests`, `durationMs` or a stop reason
 * (whichever first), then drains in-flight requests (each bounded by the client's own timeout).
 */
export async function runLevel(level: LoadLevel, options: LevelRunOptions): Promise<LevelRunResult> {
  const startedAtMs = options.clock.nowMs();
  const deadlineMs = level.durationMs === undefined ? Infinity : startedAtMs + level.durationMs;
  const stop: StopState = { reason: undefined, check: options.shouldStop ?? (() => undefined) };
  const dispatched =
    level.kind === "concurrency"
      ? await runClosedLoop(level, options, startedAtMs, deadlineMs, stop)
      : await runScheduled(level.requests, dueTimes(level, startedAtMs), level.maxConcurrency, options, deadlineMs, stop);
  const result: LevelRunResult = { startedAtMs, dispatched, interrupted: options.signal.aborted };
  if (stop.reason !== undefined) result.stoppedEarly = stop.reason;
  return result;
}

interface StopState {
  reason: string | undefined;
  check: () => string | undefined;
}

function stopping(stop: StopState): boolean {
  stop.reason ??= stop.check();
  return stop.reason !== undefined;
}

async function runClosedLoop(
  level: Extract<LoadLevel, { kind: "concurrency" }>,
  { clock, dispatch, signal, pace }: LevelRunOptions,
  startedAtMs: number,
  deadlineMs: number,
  stop: StopState,
): Promise<number> {
  let next = 0;
  const slots = Math.min(level.concurrency, level.requests);
  // Each slot sends its next request the moment its previous one ends: in a closed loop the
  // due time *is* the moment the slot frees up. With a ramp, slot k joins at k/slots of it.
  const slot = async (k: number): Promise<void> => {
    if (level.rampMs !== undefined && k > 0) await clock.sleepUntil(startedAtMs + (level.rampMs * k) / level.concurrency, signal);
    for (;;) {
      if (signal.aborted || next >= level.requests || stopping(stop)) return;
      if (pace !== undefined) {
        await pace(signal);
        if (signal.aborted || next >= level.requests || stopping(stop)) return;
      }
      const scheduledAtMs = clock.nowMs();
      if (scheduledAtMs >= deadlineMs) return;
      const index = next++;
      await dispatch({ index, scheduledAtMs }, signal);
    }
  };
  await Promise.all(Array.from({ length: slots }, (_, k) => slot(k)));
  return next;
}

/** Due times (absolute clock ms) of an open-loop or recorded schedule, lazily. */
function dueTimes(level: Exclude<LoadLevel, { kind: "concurrency" }>, startedAtMs: number): () => number | undefined {
  if (level.kind === "schedule") {
    let i = 0;
    return () => {
      const offset = level.offsetsMs[i++];
      return offset === undefined ? undefined : startedAtMs + offset;
    };
  }
  const nextGapMs = arrivalGapsMs({
    kind: level.arrival,
    ratePerSec: level.ratePerSec,
    burstiness: level.burstiness,
    random: level.random,
  });
  // The first request is due at the start; each later one a sampled gap after the previous, in
  // "full-rate time" that a ramp then stretches (time rescaling keeps the arrival process's shape).
  let fullRateOffsetMs: number | undefined;
  return () => {
    fullRateOffsetMs = fullRateOffsetMs === undefined ? 0 : fullRateOffsetMs + nextGapMs();
    const offset = level.rampMs === undefined ? fullRateOffsetMs : rampedOffsetMs(fullRateOffsetMs, level.rampMs);
    return startedAtMs + offset;
  };
}

async function runScheduled(
  requests: number,
  nextDueAtMs: () => number | undefined,
  maxConcurrency: number | undefined,
  { clock, dispatch, signal }: LevelRunOptions,
  deadlineMs: number,
  stop: StopState,
): Promise<number> {
  const inFlight = new Set<Promise<void>>();
  const cap = maxConcurrency ?? Infinity;
  let index = 0;
  for (; index < requests; index++) {
    const dueAtMs = nextDueAtMs();
    if (dueAtMs === undefined || dueAtMs >= deadlineMs) break;
    await clock.sleepUntil(dueAtMs, signal);
    while (inFlight.size >= cap && !signal.aborted) await Promise.race(inFlight);
    if (signal.aborted || stopping(stop)) break;
    const running = dispatch({ index, scheduledAtMs: dueAtMs }, signal).finally(() => {
      inFlight.delete(running);
    });
    inFlight.add(running);
  }
  await Promise.all(inFlight);
  return index;
}
