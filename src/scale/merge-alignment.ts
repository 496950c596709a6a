// Owns what a merge says about how each level started across the shards: per level, how it was
// aligned, its common instant and each shard's lateness (from shard.json), and the warnings when
// a shard was late, a barrier gave up on a shard, or shards started a level each on their own.

import type { AlignedBy } from "./level-align.js";
import type { ShardInfo, ShardLevel } from "./shard-file.js";
import type { MergedLevelStart } from "../results/scale-info.js";
export type { MergedLevelStart };

/** Late by more than this, the level's load ramped up unevenly enough to warn. */
const LATE_WARNING_MS = 1000;

/** The level's start on one shard, reading shard files that predate per-level starts as best it can. */
function startOn(info: ShardInfo, entry: ShardLevel | undefined): Pick<ShardLevel, "aligned_by" | "start_at_epoch_ms" | "late_by_ms" | "barrier"> {
  if (entry?.aligned_by !== undefined) return entry;
  const first = info.levels[0]?.level;
  if (entry !== undefined && entry.level === first) return { aligned_by: "start-at", start_at_epoch_ms: info.start_at_epoch_ms, late_by_ms: info.late_by_ms };
  return {};
}

export function mergedLevelStarts(infos: readonly ShardInfo[], count: number, levels: readonly number[]): MergedLevelStart[] {
  return levels.map((level) => {
    const late: Array<number | null> = Array.from({ length: count }, () => null);
    const kinds = new Set<MergedLevelStart["aligned_by"]>();
    const instants = new Set<number>();
    const missing = new Set<number>();
    for (const info of infos) {
      const s = startOn(
        info,
        info.levels.find((l) => l.level === level),
      );
      kinds.add(s.aligned_by ?? "unknown");
      if (s.start_at_epoch_ms !== undefined && s.start_at_epoch_ms !== null) instants.add(s.start_at_epoch_ms);
      if (s.late_by_ms !== undefined && info.index < count) late[info.index] = s.late_by_ms;
      for (const i of s.barrier?.missing ?? []) missing.add(i);
    }
    const alignedBy = kinds.size === 1 ? ([...kinds][0] as MergedLevelStart["aligned_by"]) : "mixed";
    // Barrier instants are one decision file, so they agree; with older files take the earliest.
    const startAt = instants.size === 0 ? null : Math.min(...instants);
    return { level, aligned_by: alignedBy, start_at_epoch_ms: startAt, late_by_ms: late, barrier_missing: [...missing].sort((a, b) => a - b) };
  });
}

/** Warnings per level: late shards, barriers that gave up, levels the shards started each on their own. */
export function alignmentWarnings(starts: readonly MergedLevelStart[], count: number): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const firstLevel = starts[0]?.level;
  for (const s of starts) {
    const notes: string[] = [];
    s.late_by_ms.forEach((late, index) => {
      if (late === null || late <= LATE_WARNING_MS) return;
      const seconds = (late / 1000).toFixed(1);
      notes.push(
        s.level === firstLevel
          ? `shard ${index} started ${seconds} s after the common start instant: the load ramped up unevenly (allow more --start-delay)`
          : `shard ${index} started level ${s.level} ${seconds} s after the level's common instant (${s.aligned_by}): the load ramped up unevenly`,
      );
    });
    if (s.barrier_missing.length > 0) {
      notes.push(`the barrier before level ${s.level} gave up on shard ${s.barrier_missing.join(", ")}: the others started the level without it`);
    }
    if (count > 1 && s.level !== firstLevel && (s.aligned_by === "none" || s.aligned_by === "mixed")) {
      notes.push(
        `shards started level ${s.level} each when done with the previous level, not together (no --barrier-dir): the level's window may mix load levels`,
      );
    }
    if (notes.length > 0) out.set(s.level, notes);
  }
  return out;
}
