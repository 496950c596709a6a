// Owns the simulator's notion of time: "now" and "wake me at an absolute time".
// The engine only talks to this interface, so its timing logic is tested exactly with the
// manual clock below instead of with sleeps. Must not import the benchmark side's clock.

/** Milliseconds on performance.timeOrigin + performance.now(): the family the client also uses. */
export function simNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface SchedulerClock {
  nowMs(): number;
  /** Calls `fn` once, at or after `atMs` (never before). Returns a function that cancels the call. */
  wakeAt(atMs: number, fn: () => void): () => void;
}

/**
 * The real clock. setTimeout fires 0–2 ms late (and its base is the loop's cached time, so it can
 * even fire early); we therefore set it `spinMs` short of the target and finish with setImmediate
 * polls, re-reading the real clock each turn. The polls cost CPU only for the last `spinMs`.
 */
export function realSchedulerClock(spinMs = 1): SchedulerClock {
  return {
    nowMs: simNowMs,
    wakeAt(atMs, fn) {
      let timer: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      let cancelled = false;
      const check = (): void => {
        timer = undefined;
        immediate = undefined;
        if (cancelled) return;
        const leftMs = atMs - simNowMs();
        if (leftMs <= 0) fn();
        else if (leftMs > spinMs) timer = setTimeout(check, leftMs - spinMs);
        else immediate = setImmediate(check);
      };
      // Never call fn synchronously: callers may still be mid-update when they ask for a wake-up.
      immediate = setImmediate(check);
      return () => {
        cancelled = true;
        if (timer !== undefined) clearTimeout(timer);
        if (immediate !== undefined) clearImmediate(immediate);
      };
    },
  };
}

/** A clock that moves only when told to; wake-ups run in time order as it advances. */
export interface ManualSchedulerClock extends SchedulerClock {
  /** Runs every wake-up due up to `atMs` (with `nowMs()` equal to its due time), then sets now. */
  advanceTo(atMs: number): void;
  advanceBy(deltaMs: number): void;
  /** Number of wake-ups not yet run. */
  pending(): number;
}

export function manualSchedulerClock(startMs = 0): ManualSchedulerClock {
  let now = startMs;
  let seq = 0;
  const wakes: { atMs: number; seq: number; fn: () => void }[] = [];
  const clock: ManualSchedulerClock = {
    nowMs: () => now,
    wakeAt(atMs, fn) {
      const wake = { atMs: Math.max(atMs, now), seq: seq++, fn };
      wakes.push(wake);
      return () => {
        const i = wakes.indexOf(wake);
        if (i >= 0) wakes.splice(i, 1);
      };
    },
    advanceTo(atMs) {
      for (;;) {
        let best = -1;
        for (let i = 0; i < wakes.length; i++) {
          const w = wakes[i];
          const b = best >= 0 ? wakes[best] : undefined;
          if (w !== undefined && w.atMs <= atMs && (b === undefined || w.atMs < b.atMs || (w.atMs === b.atMs && w.seq < b.seq))) best = i;
        }
        if (best < 0) break;
        const [wake] = wakes.splice(best, 1);
        if (wake === undefined) break;
        now = Math.max(now, wake.atMs);
        wake.fn();
      }
      now = Math.max(now, atMs);
    },
    advanceBy(deltaMs) {
      clock.advanceTo(now + deltaMs);
    },
    pending: () => wakes.length,
  };
  return clock;
}
