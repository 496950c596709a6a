// Owns the run-level result of `--profile slo-search`: the highest load that met the SLO
// (slo_max_rate_per_s or slo_max_concurrency), the bracket, the probe count, and the goodput
// measured at the winning level.

import type { RunConfig } from "../config/run-config.js";
import { formatSlo } from "../config/units.js";
import type { LevelOutcome } from "../load/profiles/profile.js";
import { loadValue } from "../load/profiles/profile.js";
import { sloSearchResult } from "../load/profiles/slo-search.js";
import type { LevelSummary } from "../metrics/level.js";
import type { RunInfo } from "../results/run-summary.js";

export function sloSearchSummary(
  config: RunConfig,
  history: readonly LevelOutcome[],
  levels: readonly LevelSummary[],
): Pick<RunInfo, "slo_search" | "slo_max_rate_per_s" | "slo_max_concurrency"> {
  const result = sloSearchResult(history, { tolerance: config.sloTolerance, by: config.sloSearchBy });
  const index = result.best === undefined ? -1 : history.findIndex((h) => loadValue(h.load) === result.best && h.meetsSlo === true && !h.stoppedEarly);
  const level = index < 0 ? undefined : levels[index];
  const out: Pick<RunInfo, "slo_search" | "slo_max_rate_per_s" | "slo_max_concurrency"> = {
    slo_search: {
      by: config.sloSearchBy,
      slo: formatSlo(config.slo),
      tolerance: config.sloTolerance,
      probes: result.probes,
      converged: result.converged,
      failed_above: result.failedAbove ?? null,
      level: level?.level ?? null,
      goodput_request_per_s: level?.goodput?.request_per_s ?? null,
      goodput_fraction: level?.goodput?.fraction ?? null,
    },
  };
  if (config.sloSearchBy === "rate") out.slo_max_rate_per_s = result.best ?? null;
  else out.slo_max_concurrency = result.best ?? null;
  return out;
}
