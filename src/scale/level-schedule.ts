// Owns the arithmetic of when a sharded run's levels start: the fixed schedule of levels bounded
// by --duration, and the instant a barrier settles on from the shards' arrival times. Pure: no
// clocks, no files (src/scale/barrier.ts reads the arrivals, src/scale/level-align.ts sleeps).

/**
 * Level k of a duration-bound run starts at startAt + k × (duration + gap) on every shard, with no
 * communication. The gap has to cover the level's drain (requests in flight when the duration
 * ends) and the next level's warmups; a shard still busy at the instant starts late and says so.
 *
 * @example scheduledLevelStartEpochMs(1_000_000, 2, 60_000, 10_000) // 1_140_000
 */
export function scheduledLevelStartEpochMs(startAtEpochMs: number, level: number, durationMs: number, gapMs: number): number {
  return startAtEpochMs + level * (durationMs + gapMs);
}

export interface BarrierArrival {
  shard: number;
  atEpochMs: number;
}

export interface BarrierInput {
  /** Every arrival marker visible now (shards not waited for included: they still count for the instant). */
  arrivals: readonly BarrierArrival[];
  /** Shards to wait for (those that left the run, or missed an earlier barrier, are not). */
  expected: readonly number[];
  nowEpochMs: number;
  /** How long after the first arrival the barrier gives up on shards that have not arrived. */
  timeoutMs: number;
  /** Added to the last arrival so every shard sees the decision before the instant it names. */
  marginMs: number;
  /** Give up at this instant even when nobody arrived (a waiter that is not itself a shard of the barrier). */
  giveUpAtEpochMs?: number;
}

export type BarrierVerdict = { kind: "wait"; deadlineEpochMs: number } | { kind: "start"; atEpochMs: number; timedOut: boolean; missing: number[] };

/**
 * Everyone expected has arrived → start at the last arrival + margin; the deadline (first arrival +
 * timeout, or giveUpAt) has passed → start at now + margin without the missing ones; else wait.
 * The instant depends only on the markers' contents, and the first shard to decide publishes it,
 * so every shard starts the level at the same instant even if it saw the markers at another time.
 */
export function barrierVerdict(input: BarrierInput): BarrierVerdict {
  const arrived = new Set(input.arrivals.map((a) => a.shard));
  const missing = input.expected.filter((i) => !arrived.has(i));
  const times = input.arrivals.map((a) => a.atEpochMs);
  if (missing.length === 0 && times.length > 0) {
    return { kind: "start", atEpochMs: Math.max(...times) + input.marginMs, timedOut: false, missing: [] };
  }
  const afterFirstMs = times.length === 0 ? Infinity : Math.min(...times) + input.timeoutMs;
  const deadlineEpochMs = Math.min(afterFirstMs, input.giveUpAtEpochMs ?? Infinity);
  if (missing.length === 0 || input.nowEpochMs >= deadlineEpochMs) {
    return { kind: "start", atEpochMs: input.nowEpochMs + input.marginMs, timedOut: missing.length > 0, missing };
  }
  return { kind: "wait", deadlineEpochMs };
}
