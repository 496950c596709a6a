// Owns turning a resolved RunConfig into the ordered list of load levels to run.

import type { RunConfig } from "../config/run-config.js";
import { DEFAULT_CONCURRENCY } from "../config/run-config.js";
import type { LevelLoad } from "../metrics/level.js";

export interface LevelPlan {
  level: number;
  load: LevelLoad;
  /** Measured requests (Infinity when only a duration bounds the level). */
  requests: number;
  durationMs?: number;
  /** Connections the HTTP pool may open for this level. */
  connections: number;
}

/** "3x" at concurrency c = 3c requests; at rate r req/s = 3r requests (three seconds of arrivals). */
function requestsFor(config: RunConfig, scale: number): number {
  const spec = config.requests ?? (config.durationMs === undefined ? { kind: "multiple" as const, factor: 3 } : undefined);
  if (spec === undefined) return Infinity;
  return spec.kind === "count" ? spec.n : Math.max(1, Math.ceil(spec.factor * scale));
}

export function planLevels(config: RunConfig): LevelPlan[] {
  const withDuration = (plan: LevelPlan): LevelPlan =>
    config.durationMs === undefined ? plan : { ...plan, durationMs: config.durationMs };
  if (config.rate) {
    return config.rate.map((ratePerSec, level) => {
      const load: LevelLoad = { kind: "rate", rate_per_s: ratePerSec, arrival: config.arrival, burstiness: config.burstiness };
      if (config.maxConcurrency !== undefined) load.max_concurrency = config.maxConcurrency;
      return withDuration({
        level,
        load,
        requests: requestsFor(config, ratePerSec),
        // Open loop: enough connections that the pool never becomes a hidden queue.
        connections: config.maxConcurrency ?? 1024,
      });
    });
  }
  const levels = config.concurrency ?? [...DEFAULT_CONCURRENCY];
  return levels.map((concurrency, level) =>
    withDuration({ level, load: { kind: "concurrency", concurrency }, requests: requestsFor(config, concurrency), connections: concurrency }),
  );
}
