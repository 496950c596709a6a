// Owns the one monotonic clock the benchmark side uses for every timestamp.
// performance.timeOrigin + performance.now() is monotonic within a process and, on one host,
// comparable across processes (the simulator's trace uses the same family), so client
// timestamps can be checked against server emission times exactly.

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

export const realClock: Clock = {
  nowMs: monotonicNowMs,
  sleepUntil(atMs, signal) {
    const delayMs = atMs - monotonicNowMs();
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
