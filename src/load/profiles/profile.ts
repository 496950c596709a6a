// Owns the multi-level load-profile contract: given the outcomes of the levels run so far, a
// profile names the next level (or ends). Fixed level lists, the sweep and the SLO search are
// implementations; profile-contract.test.ts runs one shared suite against every one of them.

/** A level's load as profiles reason about it (no request counts: those are the run's). */
export type ProbeLoad = { kind: "concurrency"; concurrency: number } | { kind: "rate"; ratePerSec: number };

/** What the level is for, recorded in the summary. */
export type LevelRole = "level" | "synchronous" | "throughput" | "sweep" | "probe";

export interface ProfileStep {
  load: ProbeLoad;
  role: LevelRole;
}

/** What a profile may know about a finished level. */
export interface LevelOutcome {
  load: ProbeLoad;
  role: LevelRole;
  /** Completed requests per second over the level. */
  requestPerS: number;
  /** Whether the level met every aggregate SLO term (undefined: no SLO). */
  meetsSlo: boolean | undefined;
  /** The level stopped early (over-saturation or error rate). */
  stoppedEarly: boolean;
}

export interface LoadProfile {
  readonly kind: "levels" | "sweep" | "slo-search";
  /** The next level to run, or undefined when the profile is done. Pure in `history`. */
  next(history: readonly LevelOutcome[]): ProfileStep | undefined;
}

export function loadValue(load: ProbeLoad): number {
  return load.kind === "concurrency" ? load.concurrency : load.ratePerSec;
}
