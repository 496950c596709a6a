// Owns the one monotonic clock the benchmark side uses for every timestamp, and the wall clock
// used only for instants shared across hosts. performance.timeOrigin + performance.now() is
// monotonic within a process and, on one host, comparable across processes (the simulator's
// trace uses the same family), so client timestamps can be checked against server emission times.

/** Milliseconds on the shared monotonic clock (sub-millisecond resolution). */
export function monotonicNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** An injectable clock so schedules are tested exactly rather than with sleeps. */
export interface Clock {
  nowMs(): number;
  /** Resolves at (or just after) `atMs`; resolves early if `signal` aborts. */
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void>;
}

function clockOf(nowMs: () => number): Clock {
  return {
    nowMs,
    sleepUntil(atMs, signal) {
      const delayMs = atMs - nowMs();
      if (delayMs <= 0 || signal?.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(done, delayMs);
        function done(): void {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        }
        signal?.addEventListener("abort", done, { once: true });
      });
    },
  };
}

export const realClock: Clock = clockOf(monotonicNowMs);

/**
 * The wall clock (epoch ms), for instants shared across hosts (--start-at, level barriers) and
 * nothing else: durations are always taken on the monotonic clock.
 */
export const wallClock: Clock = clockOf(() => Date.now());
