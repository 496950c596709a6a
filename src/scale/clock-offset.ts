// Owns estimating this machine's wall-clock offset from the target server's clock, with a hard
// bound: each response stamped with whole server seconds (HTTP `Date`) confines the offset to an
// interval, intervals intersect, and probes timed at the predicted second tick halve it.

import type { ClockOffset } from "../results/scale-info.js";
export type { ClockOffset };

/** One probe: local epoch ms when the request left and when the response arrived, and the server's stamp. */
export interface ClockSample {
  sentEpochMs: number;
  receivedEpochMs: number;
  /** The server's timestamp in whole seconds since the epoch. */
  serverS: number;
}

/** offset = server clock − local clock, known to lie in [loMs, hiMs). */
export interface OffsetInterval {
  loMs: number;
  hiMs: number;
}

/**
 * The interval one sample allows: the server stamped floor(server time) at some local instant
 * in [sent, received], so serverS·1000 ≤ t + offset < serverS·1000 + 1000.
 */
export function sampleInterval(s: ClockSample): OffsetInterval {
  return { loMs: s.serverS * 1000 - s.receivedEpochMs, hiMs: s.serverS * 1000 + 1000 - s.sentEpochMs };
}

/** Intersects the intervals of all samples; undefined without samples. Inconsistent samples keep the last consistent interval. */
export function estimateOffset(samples: readonly ClockSample[]): ClockOffset | undefined {
  let acc: OffsetInterval | undefined;
  let used = 0;
  for (const s of samples) {
    const i = sampleInterval(s);
    const next = acc === undefined ? i : { loMs: Math.max(acc.loMs, i.loMs), hiMs: Math.min(acc.hiMs, i.hiMs) };
    // An empty intersection means a server clock step or a proxy stamping late: skip that sample.
    if (next.loMs > next.hiMs) continue;
    acc = next;
    used++;
  }
  if (acc === undefined) return undefined;
  return { offset_ms: (acc.loMs + acc.hiMs) / 2, bound_ms: (acc.hiMs - acc.loMs) / 2, samples: used, source: "http-date" };
}

/**
 * When to send the next probe (local epoch ms) so the server stamps it at the second tick the
 * current estimate predicts: whichever side of the tick it lands on, the interval halves.
 */
export function nextProbeAtMs(current: OffsetInterval, nowEpochMs: number, halfRttMs: number): number {
  const mid = (current.loMs + current.hiMs) / 2;
  // The server ticks at local time k·1000 − mid; pick the first tick far enough ahead.
  const k = Math.ceil((nowEpochMs + halfRttMs + 5 + mid) / 1000);
  return k * 1000 - mid - halfRttMs;
}

/** Bound on how far two shards' clocks can disagree, from their offsets to the same server. */
export function pairwiseSkewBoundMs(a: ClockOffset, b: ClockOffset): number {
  return Math.abs(a.offset_ms - b.offset_ms) + a.bound_ms + b.bound_ms;
}
