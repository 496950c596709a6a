// Owns the sweep (GuideLLM's): a synchronous level (one request at a time), a throughput level
// (many in flight), then `rates` open-loop rates spread evenly strictly between the two measured
// request rates, all in one command.

import type { LevelOutcome, LoadProfile, ProfileStep } from "./profile.js";

export interface SweepOptions {
  /** Open-loop levels between synchronous and throughput. */
  rates: number;
  /** Concurrency of the throughput level. */
  maxConcurrency: number;
}

/**
 * Rates r_i = sync + (throughput − sync)·i/(rates + 1), i = 1..rates.
 * @example sweepProfile({ rates: 4, maxConcurrency: 256 })
 */
export function sweepProfile(options: SweepOptions): LoadProfile {
  return {
    kind: "sweep",
    next: (history: readonly LevelOutcome[]): ProfileStep | undefined => {
      if (history.length === 0) return { load: { kind: "concurrency", concurrency: 1 }, role: "synchronous" };
      if (history.length === 1) return { load: { kind: "concurrency", concurrency: options.maxConcurrency }, role: "throughput" };
      const i = history.length - 1;
      if (i > options.rates) return undefined;
      const [sync, throughput] = [history[0]?.requestPerS ?? 0, history[1]?.requestPerS ?? 0];
      const lo = Math.min(sync, throughput);
      const hi = Math.max(sync, throughput);
      if (!(hi > 0)) return undefined; // nothing completed: no rate to aim at
      const ratePerSec = round3(lo + ((hi - lo) * i) / (options.rates + 1));
      return ratePerSec > 0 ? { load: { kind: "rate", ratePerSec }, role: "sweep" } : undefined;
    },
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
