// Owns the SLO search: the highest request rate (or concurrency) whose level meets every aggregate
// SLO term, found by bracketing (doubling up from the start, or halving down) and then bisection
// until (upper − lower) / upper <= tolerance. A level that stopped early counts as failing.

import type { LevelOutcome, LoadProfile, ProbeLoad, ProfileStep } from "./profile.js";
import { loadValue } from "./profile.js";

export interface SloSearchOptions {
  by: "rate" | "concurrency";
  /** First probe: req/s or concurrency. */
  start: number;
  /** Relative width of the final bracket. */
  tolerance: number;
  /** Probe levels at most (the bracket found so far is reported if this runs out). */
  maxLevels: number;
}

export interface SloSearchResult {
  /** Highest load that met the SLO; undefined when none did. */
  best: number | undefined;
  /** Lowest load above `best` that failed; undefined when none did (raise maxLevels or start). */
  failedAbove: number | undefined;
  probes: number;
  /** True when the bracket is within tolerance. */
  converged: boolean;
}

/** Rates below start / 2^10 are not searched: the target fails the SLO even when idle. */
const MAX_HALVINGS = 10;

/** @example sloSearchProfile({ by: "rate", start: 1, tolerance: 0.05, maxLevels: 12 }) */
export function sloSearchProfile(options: SloSearchOptions): LoadProfile {
  return {
    kind: "slo-search",
    next: (history: readonly LevelOutcome[]): ProfileStep | undefined => {
      if (history.length >= options.maxLevels) return undefined;
      if (history.length === 0) return step(options, options.start);
      const { best, failedAbove, converged } = sloSearchResult(history, options);
      if (converged) return undefined;
      let value: number;
      if (best === undefined) {
        const lowest = failedAbove ?? options.start;
        if (lowest <= options.start / 2 ** MAX_HALVINGS) return undefined;
        value = lowest / 2;
      } else if (failedAbove === undefined) value = best * 2;
      else value = (best + failedAbove) / 2;
      value = options.by === "concurrency" ? Math.round(value) : round4(value);
      if (history.some((h) => loadValue(h.load) === value)) return undefined; // no new point left between them
      return step(options, value);
    },
  };
}

/** Reads the bracket off the probes run so far. */
export function sloSearchResult(history: readonly LevelOutcome[], options: Pick<SloSearchOptions, "tolerance" | "by">): SloSearchResult {
  const passed = (h: LevelOutcome): boolean => h.meetsSlo === true && !h.stoppedEarly;
  const passing = history.filter(passed).map((h) => loadValue(h.load));
  const best = passing.length === 0 ? undefined : Math.max(...passing);
  const failing = history
    .filter((h) => !passed(h))
    .map((h) => loadValue(h.load))
    .filter((v) => best === undefined || v > best);
  const failedAbove = failing.length === 0 ? undefined : Math.min(...failing);
  let converged = false;
  if (best !== undefined && failedAbove !== undefined) {
    converged = (failedAbove - best) / failedAbove <= options.tolerance || (options.by === "concurrency" && failedAbove - best <= 1);
  }
  return { best, failedAbove, probes: history.length, converged };
}

function step(options: SloSearchOptions, value: number): ProfileStep {
  const load: ProbeLoad =
    options.by === "concurrency" ? { kind: "concurrency", concurrency: Math.max(1, Math.round(value)) } : { kind: "rate", ratePerSec: value };
  return { load, role: "probe" };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
