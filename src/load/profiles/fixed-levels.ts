// Owns the plain profile: the user's concurrency or rate list, in order.

import type { LoadProfile, ProbeLoad } from "./profile.js";

/** @example fixedLevels([{ kind: "concurrency", concurrency: 1 }, { kind: "concurrency", concurrency: 8 }]) */
export function fixedLevels(loads: readonly ProbeLoad[]): LoadProfile {
  return {
    kind: "levels",
    next: (history) => {
      const load = loads[history.length];
      return load === undefined ? undefined : { load, role: "level" };
    },
  };
}
