// The file barrier on a real directory and a virtual wall clock: shards arriving at different
// times agree on one instant, a shard that never arrives is given up on after the timeout (never a
// hang), one that left is not waited for, and a late shard reads the instant already decided.

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../load/virtual-clock.js";
import { arrive, awaitBarrier, leave } from "./barrier.js";
import { LevelAligner } from "./level-align.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sb-barrier-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const common = { name: "level-0.done", count: 2, timeoutMs: 10_000, marginMs: 1000, pollMs: 100 };

async function shardAt(clock: VirtualClock, dir: string, shard: number, atMs: number): Promise<Awaited<ReturnType<typeof awaitBarrier>>> {
  await clock.sleepUntil(atMs);
  arrive(dir, common.name, shard, clock.nowMs());
  return awaitBarrier({ ...common, dir, self: shard, clock });
}

describe("awaitBarrier", () => {
  it("shards arriving at different times start at the last arrival plus the margin", async () => {
    const dir = tempDir();
    const clock = new VirtualClock(1_000_000);
    const [a, b] = await Promise.all([shardAt(clock, dir, 0, 1_000_100), shardAt(clock, dir, 1, 1_003_000)]);
    expect(a.atEpochMs).toBe(1_004_000);
    expect(b).toEqual(a);
    expect(a).toMatchObject({ timedOut: false, missing: [] });
    // One decision file, no temporary files left behind.
    expect(readdirSync(dir).sort()).toEqual(["level-0.done.shard-0.json", "level-0.done.shard-1.json", "level-0.done.start.json"]);
  });

  it("gives up on a shard that never arrives after the timeout", async () => {
    const dir = tempDir();
    const clock = new VirtualClock(0);
    const result = await shardAt(clock, dir, 0, 500);
    expect(result).toEqual({ atEpochMs: 10_500 + 1000, timedOut: true, missing: [1], decidedBy: 0 });
    // The shard that turns up afterwards takes the instant already decided (it is late).
    arrive(dir, common.name, 1, 60_000);
    expect(await awaitBarrier({ ...common, dir, self: 1, clock })).toEqual(result);
  });

  it("does not wait for a shard that left", async () => {
    const dir = tempDir();
    const clock = new VirtualClock(0);
    leave(dir, 1, "failed");
    const result = await shardAt(clock, dir, 0, 200);
    expect(result).toMatchObject({ atEpochMs: 1200, timedOut: false, missing: [] });
  });

  it("a waiter that is no shard gives up at its own deadline", async () => {
    const dir = tempDir();
    const clock = new VirtualClock(0);
    const result = await awaitBarrier({ ...common, dir, clock, giveUpAtEpochMs: 3000 });
    expect(result).toEqual({ atEpochMs: 4000, timedOut: true, missing: [0, 1], decidedBy: null });
  });
});

describe("LevelAligner", () => {
  const settings = { startAtEpochMs: 1000, barrierTimeoutMs: 10_000, barrierMarginMs: 500, levelGapMs: 2000, pollMs: 50 };
  const signal = new AbortController().signal;

  it("with a barrier, both shards start each level's measured load at one instant", async () => {
    const dir = tempDir();
    const clock = new VirtualClock(1000);
    const shard = async (index: number, t: { ready0: number; end0: number; warmup1: number }): Promise<LevelAligner> => {
      const a = new LevelAligner({ ...settings, shard: { index, count: 2 }, barrierDir: dir, clock });
      await a.beforeLevel(0, 0, signal, true);
      await clock.sleepUntil(t.ready0); // warmups and prompts of level 0
      await a.beforeMeasured(0, signal);
      await clock.sleepUntil(t.end0);
      await a.beforeLevel(1, 0, signal, true);
      await clock.sleepUntil(clock.nowMs() + t.warmup1);
      await a.beforeMeasured(1, signal);
      return a;
    };
    const [s0, s1] = await Promise.all([shard(0, { ready0: 1100, end0: 2000, warmup1: 100 }), shard(1, { ready0: 1300, end0: 4000, warmup1: 700 })]);
    // Level 0: ready at 1100 and 1300 → 1800. Level 1: warmups begin at 4000 + 500, end at 4600 and 5200 → 5700.
    for (const s of [s0, s1]) {
      expect(s.startOf(0)).toMatchObject({ aligned_by: "barrier", start_at_epoch_ms: 1800, late_by_ms: 0 });
      expect(s.startOf(1)).toMatchObject({ aligned_by: "barrier", start_at_epoch_ms: 5700, late_by_ms: 0, barrier: { timed_out: false, missing: [] } });
    }
    expect(s0.startOf(1)?.barrier?.waited_ms).toBe(4500 - 2000 + 5700 - 4600);
  });

  it("a barrier that gives up is recorded and warned about, and the missing shard is not waited for again", async () => {
    const dir = tempDir();
    const clock = new VirtualClock(1000);
    const a = new LevelAligner({ ...settings, shard: { index: 0, count: 2 }, barrierDir: dir, clock });
    await a.beforeLevel(0, 0, signal, false);
    await a.beforeMeasured(0, signal);
    expect(a.startOf(0)).toMatchObject({ start_at_epoch_ms: 1000 + 10_000 + 500, barrier: { timed_out: true, missing: [1] } });
    expect(a.warnings(0).join("\n")).toMatch(/shard 1 did not reach the barrier before level 0 within 10 s/);
    await a.beforeLevel(1, 0, signal, false);
    const before = clock.nowMs();
    await a.beforeMeasured(1, signal);
    expect(a.startOf(1)).toMatchObject({ start_at_epoch_ms: before + 500, barrier: { timed_out: false, missing: [] } });
  });

  it("without a barrier, duration-bound levels follow the schedule and report lateness", async () => {
    const clock = new VirtualClock(1000);
    const a = new LevelAligner({ ...settings, shard: { index: 1, count: 2 }, durationMs: 3000, clock });
    await a.beforeLevel(0, 0, signal, false);
    await a.beforeLevel(1, 0, signal, false);
    expect(a.startOf(1)).toEqual({ aligned_by: "schedule", start_at_epoch_ms: 6000, late_by_ms: 0 });
    expect(clock.nowMs()).toBe(6000);
    await clock.sleepUntil(12_500);
    await a.beforeLevel(2, 0, signal, false);
    expect(a.startOf(2)).toEqual({ aligned_by: "schedule", start_at_epoch_ms: 11_000, late_by_ms: 1500 });
    expect(a.warnings(2)).toEqual(["this shard started level 2 1.5 s after the common instant"]);
  });

  it("without either, later levels are not aligned and say so", async () => {
    const a = new LevelAligner({ ...settings, shard: { index: 0, count: 3 }, clock: new VirtualClock(0) });
    await a.beforeLevel(0, 20, signal, false);
    await a.beforeLevel(1, 20, signal, false);
    expect(a.startOf(0)).toEqual({ aligned_by: "start-at", start_at_epoch_ms: 1000, late_by_ms: 20 });
    expect(a.startOf(1)).toEqual({ aligned_by: "none", start_at_epoch_ms: null, late_by_ms: 0 });
    expect(a.warnings(1).join("\n")).toMatch(/pass --barrier-dir/);
  });
});
