// Owns when each level of a sharded run starts on this shard, so every shard runs level k at the
// same time: at a barrier instant when the shards share a directory (--barrier-dir), else the
// first level at --start-at and later ones at the fixed schedule of --duration levels, or (with
// neither) when this shard is done with the previous one. Records, per level, how it was aligned
// and how late this shard started it.

import { wallClock, type Clock } from "../clock.js";
import { arrive, awaitBarrier, leave, type BarrierResult } from "./barrier.js";
import { scheduledLevelStartEpochMs } from "./level-schedule.js";
import type { ShareStep } from "./load-split.js";
import type { AlignedBy } from "../results/scale-info.js";
export type { AlignedBy };

/** How one level started on one shard (part of each level's entry in shard.json). */
export interface LevelStart {
  aligned_by: AlignedBy;
  /** The common instant the level's measured load was due to start on every shard; null when not aligned. */
  start_at_epoch_ms: number | null;
  /** How long after that instant this shard started (0 when it was waiting for it). */
  late_by_ms: number;
  /** With --barrier-dir: time spent waiting for the other shards, and whom the barrier gave up on. */
  barrier?: { waited_ms: number; timed_out: boolean; missing: number[] };
}

export interface AlignSettings {
  shard: ShareStep;
  startAtEpochMs: number;
  /** This run's barrier directory (already specific to the run), when shards share one. */
  barrierDir?: string;
  barrierTimeoutMs: number;
  barrierMarginMs: number;
  /** Levels bounded by --duration follow a fixed schedule when there is no barrier directory. */
  durationMs?: number;
  levelGapMs: number;
  /** The wall clock (epoch ms); injectable for tests. */
  clock?: Clock;
  pollMs?: number;
}

/** Late by more than this, a level's load ramped up unevenly enough to mention. */
const LATE_WARNING_MS = 1000;

export class LevelAligner {
  private readonly starts = new Map<number, LevelStart>();
  /** Shards that missed an earlier barrier are not waited for again (a dead pod costs one timeout, not one per level). */
  private readonly skip = new Set<number>();
  private started = false;
  private readonly clock: Clock;

  constructor(private readonly s: AlignSettings) {
    this.clock = s.clock ?? wallClock;
  }

  /**
   * Before a level's warmups and preparation. Duration-bound levels without a barrier wait for
   * their scheduled instant here. With a barrier and warmups, shards first wait for each other to
   * finish the previous level, so no shard's warmups land in another's measured load.
   */
  async beforeLevel(level: number, firstLateByMs: number, signal: AbortSignal, hasWarmups: boolean): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.starts.set(level, { aligned_by: "start-at", start_at_epoch_ms: this.s.startAtEpochMs, late_by_ms: firstLateByMs });
      return;
    }
    if (this.s.shard.count === 1) {
      this.starts.set(level, { aligned_by: "none", start_at_epoch_ms: null, late_by_ms: 0 });
      return;
    }
    if (this.s.barrierDir !== undefined) {
      if (hasWarmups) this.starts.set(level, await this.cross(`level-${level - 1}.done`, signal));
      return;
    }
    if (this.s.durationMs !== undefined) {
      const atEpochMs = scheduledLevelStartEpochMs(this.s.startAtEpochMs, level, this.s.durationMs, this.s.levelGapMs);
      this.starts.set(level, { aligned_by: "schedule", start_at_epoch_ms: atEpochMs, late_by_ms: await this.sleepUntil(atEpochMs, signal) });
      return;
    }
    this.starts.set(level, { aligned_by: "none", start_at_epoch_ms: null, late_by_ms: 0 });
  }

  /**
   * After the level's warmups and preparation (prompts built, chat prompts counted), just before
   * its measured load: with a barrier, every shard waits until all are ready, so the measured load
   * starts at one instant however long each shard took to get there.
   */
  async beforeMeasured(level: number, signal: AbortSignal): Promise<void> {
    if (this.s.barrierDir === undefined || this.s.shard.count === 1) return;
    const before = this.starts.get(level)?.barrier;
    const after = await this.cross(`level-${level}.ready`, signal);
    const now = after.barrier as NonNullable<LevelStart["barrier"]>;
    const barrier =
      before === undefined
        ? now
        : {
            waited_ms: before.waited_ms + now.waited_ms,
            timed_out: before.timed_out || now.timed_out,
            missing: [...new Set([...before.missing, ...now.missing])].sort((a, b) => a - b),
          };
    this.starts.set(level, { ...after, barrier });
  }

  /** This shard is done (finished, failed or stopped): barriers stop waiting for it. */
  leave(status: string): void {
    if (this.s.barrierDir !== undefined) leave(this.s.barrierDir, this.s.shard.index, status);
  }

  startOf(level: number): LevelStart | undefined {
    return this.starts.get(level);
  }

  /** Warnings for the shard's own level summary (the merge words its own from shard.json). */
  warnings(level: number): string[] {
    const start = this.starts.get(level);
    if (start === undefined) return [];
    const out: string[] = [];
    if (start.aligned_by === "none" && this.s.shard.count > 1) {
      out.push(
        `level ${level} started when this shard finished the previous one, not at a common instant across shards: pass --barrier-dir (or bound levels by --duration)`,
      );
    }
    if (start.late_by_ms > LATE_WARNING_MS) out.push(`this shard started level ${level} ${(start.late_by_ms / 1000).toFixed(1)} s after the common instant`);
    if (start.barrier?.timed_out === true) {
      out.push(
        `shard ${start.barrier.missing.join(", ")} did not reach the barrier before level ${level} within ${(this.s.barrierTimeoutMs / 1000).toFixed(0)} s: started without it`,
      );
    }
    return out;
  }

  private async cross(name: string, signal: AbortSignal): Promise<LevelStart> {
    const dir = this.s.barrierDir as string;
    const arrivedAtMs = this.clock.nowMs();
    arrive(dir, name, this.s.shard.index, arrivedAtMs);
    const result: BarrierResult = await awaitBarrier({
      dir,
      name,
      count: this.s.shard.count,
      self: this.s.shard.index,
      skip: this.skip,
      timeoutMs: this.s.barrierTimeoutMs,
      marginMs: this.s.barrierMarginMs,
      clock: this.clock,
      signal,
      ...(this.s.pollMs === undefined ? {} : { pollMs: this.s.pollMs }),
    });
    for (const i of result.missing) this.skip.add(i);
    const lateByMs = await this.sleepUntil(result.atEpochMs, signal);
    const barrier = { waited_ms: Math.max(0, this.clock.nowMs() - arrivedAtMs), timed_out: result.timedOut, missing: result.missing };
    return { aligned_by: "barrier", start_at_epoch_ms: result.atEpochMs, late_by_ms: lateByMs, barrier };
  }

  /** Sleeps until the instant; returns how late this shard already was (0 when it waited). */
  private async sleepUntil(atEpochMs: number, signal: AbortSignal): Promise<number> {
    const lateByMs = this.clock.nowMs() - atEpochMs;
    if (lateByMs >= 0) return lateByMs;
    await this.clock.sleepUntil(atEpochMs, signal);
    return 0;
  }
}
