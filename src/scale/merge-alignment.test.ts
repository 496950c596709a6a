// How a merge reads each level's start across shards from shard.json, including files written
// before per-level starts existed, and which warnings it words.

import { describe, expect, it } from "vitest";
import { alignmentWarnings, mergedLevelStarts } from "./merge-alignment.js";
import { SHARD_SCHEMA, type ShardInfo, type ShardLevel } from "./shard-file.js";

function info(index: number, levels: ShardLevel[], lateByMs = 0): ShardInfo {
  return {
    schema: SHARD_SCHEMA,
    index,
    count: 2,
    start_at_epoch_ms: 1000,
    late_by_ms: lateByMs,
    status: "complete",
    host: "h",
    run_key: "k",
    levels,
    clock: {},
    workers: 1,
  };
}

describe("mergedLevelStarts", () => {
  it("collects each shard's lateness per level and the barrier's verdict", () => {
    const barrier = { waited_ms: 10, timed_out: false, missing: [] };
    const a = info(0, [
      { level: 0, expected_requests: 2, expected_warmup: 0, aligned_by: "barrier", start_at_epoch_ms: 2000, late_by_ms: 0, barrier },
      {
        level: 1,
        expected_requests: 2,
        expected_warmup: 0,
        aligned_by: "barrier",
        start_at_epoch_ms: 9000,
        late_by_ms: 1500,
        barrier: { ...barrier, timed_out: true, missing: [1] },
      },
    ]);
    const b = info(1, [{ level: 0, expected_requests: 2, expected_warmup: 0, aligned_by: "barrier", start_at_epoch_ms: 2000, late_by_ms: 3, barrier }]);
    const starts = mergedLevelStarts([a, b], 2, [0, 1]);
    expect(starts).toEqual([
      { level: 0, aligned_by: "barrier", start_at_epoch_ms: 2000, late_by_ms: [0, 3], barrier_missing: [] },
      { level: 1, aligned_by: "mixed", start_at_epoch_ms: 9000, late_by_ms: [1500, null], barrier_missing: [1] },
    ]);
    const warnings = alignmentWarnings(starts, 2);
    expect(warnings.get(0)).toBeUndefined();
    expect(warnings.get(1)).toEqual([
      "shard 0 started level 1 1.5 s after the level's common instant (mixed): the load ramped up unevenly",
      "the barrier before level 1 gave up on shard 1: the others started the level without it",
      "shards started level 1 each when done with the previous level, not together (no --barrier-dir): the level's window may mix load levels",
    ]);
  });

  it("reads older shard files: the first level from the run's start instant, later ones unknown", () => {
    const old = [0, 1].map((i) =>
      info(
        i,
        [0, 1].map((level) => ({ level, expected_requests: 1, expected_warmup: 0 })),
        i === 1 ? 2500 : 0,
      ),
    );
    const starts = mergedLevelStarts(old, 2, [0, 1]);
    expect(starts.map((s) => [s.aligned_by, s.start_at_epoch_ms, s.late_by_ms])).toEqual([
      ["start-at", 1000, [0, 2500]],
      ["unknown", null, [null, null]],
    ]);
    expect(alignmentWarnings(starts, 2).get(0)).toEqual([
      "shard 1 started 2.5 s after the common start instant: the load ramped up unevenly (allow more --start-delay)",
    ]);
  });

  it("warns when shards started later levels each on their own", () => {
    const none = (i: number): ShardInfo =>
      info(i, [
        { level: 0, expected_requests: 1, expected_warmup: 0, aligned_by: "start-at", start_at_epoch_ms: 1000, late_by_ms: 0 },
        { level: 1, expected_requests: 1, expected_warmup: 0, aligned_by: "none", start_at_epoch_ms: null, late_by_ms: 0 },
      ]);
    const warnings = alignmentWarnings(mergedLevelStarts([none(0), none(1)], 2, [0, 1]), 2);
    expect([...warnings.keys()]).toEqual([1]);
    expect(warnings.get(1)?.[0]).toMatch(/not together \(no --barrier-dir\)/);
  });
});
