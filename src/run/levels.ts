// Owns turning a resolved RunConfig into a load profile, and each step the profile names into a
// concrete level plan (request count, duration, connections, the load as the summary shows it).

import type { RunConfig } from "../config/run-config.js";
import { DEFAULT_CONCURRENCY, DEFAULT_REQUESTS } from "../config/run-config.js";
import { fixedLevels } from "../load/profiles/fixed-levels.js";
import type { LevelRole, LoadProfile, ProbeLoad, ProfileStep } from "../load/profiles/profile.js";
import { sloSearchProfile } from "../load/profiles/slo-search.js";
import { sweepProfile } from "../load/profiles/sweep.js";
import type { LevelLoad } from "../metrics/level.js";
import type { LoadedTrace } from "../workload/trace.js";

export interface LevelPlan {
  level: number;
  load: LevelLoad;
  probe: ProbeLoad;
  role: LevelRole;
  /** Measured requests, or sessions with --turns (Infinity when only a duration bounds the level). */
  requests: number;
  durationMs?: number;
  /** Connections the HTTP pool may open for this level. */
  connections: number;
  /** Trace replay: due times relative to the level start (already time-scaled). */
  scheduleMs?: number[];
}

/** The profile the config asks for. A trace is one level at its own schedule. */
export function createProfile(config: RunConfig, trace: LoadedTrace | undefined): LoadProfile {
  if (trace !== undefined) return fixedLevels([{ kind: "rate", ratePerSec: traceRatePerSec(trace, config.timeScale) }]);
  switch (config.profile) {
    case "sweep":
      return sweepProfile({ rates: config.sweepRates, maxConcurrency: config.sweepMaxConcurrency });
    case "slo-search":
      return sloSearchProfile({
        by: config.sloSearchBy,
        start: config.sloStart ?? 1,
        tolerance: config.sloTolerance,
        maxLevels: config.sloMaxLevels,
      });
    case "levels": {
      if (config.rate) return fixedLevels(config.rate.map((ratePerSec) => ({ kind: "rate", ratePerSec })));
      const levels = config.concurrency ?? [...DEFAULT_CONCURRENCY];
      return fixedLevels(levels.map((concurrency) => ({ kind: "concurrency", concurrency })));
    }
  }
}

/** Mean arrival rate of a replayed trace, req/s (the label of its level). */
export function traceRatePerSec(trace: LoadedTrace, timeScale: number): number {
  const spanS = ((trace.entries.at(-1)?.offsetMs ?? 0) * timeScale) / 1000;
  const rate = spanS > 0 ? (trace.entries.length - 1) / spanS : trace.entries.length;
  return Math.round(rate * 1000) / 1000;
}

/** "2x" at concurrency c = 2c requests; at rate r req/s = 2r requests (two seconds of arrivals). */
function requestsFor(config: RunConfig, scale: number): number {
  const spec = config.requests ?? (config.durationMs === undefined ? DEFAULT_REQUESTS : undefined);
  if (spec === undefined) return Infinity;
  return spec.kind === "count" ? spec.n : Math.max(1, Math.ceil(spec.factor * scale));
}

export function planLevel(config: RunConfig, level: number, step: ProfileStep, trace?: LoadedTrace): LevelPlan {
  const plan = ((): LevelPlan => {
    if (step.load.kind === "rate") {
      const ratePerSec = step.load.ratePerSec;
      const load: LevelLoad = { kind: "rate", rate_per_s: ratePerSec, arrival: trace ? "trace" : config.arrival, burstiness: config.burstiness };
      if (config.maxConcurrency !== undefined) load.max_concurrency = config.maxConcurrency;
      if (trace !== undefined) load.time_scale = config.timeScale;
      const base = {
        level,
        load,
        probe: step.load,
        role: step.role,
        // Open loop: enough connections that the pool never becomes a hidden queue.
        connections: config.maxConcurrency ?? 1024,
      };
      if (trace === undefined) return { ...base, requests: requestsFor(config, ratePerSec) };
      const scheduleMs = trace.entries.map((e) => e.offsetMs * config.timeScale);
      const requests = config.requests?.kind === "count" ? Math.min(config.requests.n, scheduleMs.length) : scheduleMs.length;
      return { ...base, requests, scheduleMs: scheduleMs.slice(0, requests) };
    }
    const concurrency = step.load.concurrency;
    const load: LevelLoad = { kind: "concurrency", concurrency };
    return { level, load, probe: step.load, role: step.role, requests: requestsFor(config, concurrency), connections: concurrency };
  })();
  if (config.rampMs !== undefined) plan.load.ramp_s = config.rampMs / 1000;
  if (step.role !== "level") plan.load.role = step.role;
  if (config.durationMs !== undefined) plan.durationMs = config.durationMs;
  return plan;
}
