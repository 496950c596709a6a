// Owns a run's scale-out state: worker count, this process's shard, the common start instant
// (a barrier on the wall clock that pods reaching it at different times all wait for), when each
// later level starts (level-align.ts), the clock estimates, and shard.json at the end. Created
// once per run by run/run-benchmark.

import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import { monotonicNowMs } from "../clock.js";
import type { ClockOffset } from "./clock-offset.js";
import { probeServerClock, readNtpStatus, type NtpStatus } from "./clock-probe.js";
import { leave } from "./barrier.js";
import { LevelAligner } from "./level-align.js";
import type { ShareStep } from "./load-split.js";
import type { LevelWorkers, ScaleInfo } from "../results/scale-info.js";
import { SHARD_SCHEMA, type ShardInfo, type ShardLevel } from "./shard-file.js";

export interface ScaleSettings {
  workers: number;
  shard?: ShareStep | undefined;
  startAtEpochMs?: number | undefined;
  barrierDir?: string | undefined;
  barrierTimeoutMs?: number | undefined;
  barrierMarginMs?: number | undefined;
  durationMs?: number | undefined;
  levelGapMs?: number | undefined;
}

export class ScaleContext {
  readonly workers: number;
  readonly shard: ShareStep | undefined;
  readonly startAtEpochMs: number | undefined;
  private readonly stats: LevelWorkers[] = [];
  private readonly levels: ShardLevel[] = [];
  private server: ClockOffset | undefined;
  private ntp: NtpStatus | undefined;
  private lateByMs = 0;
  private readonly aligner: LevelAligner | undefined;

  /** `settings` is the run's configuration (its shard fields; the rest identifies the run). */
  constructor(settings: ScaleSettings) {
    this.workers = Math.max(1, settings.workers);
    this.shard = settings.shard;
    this.startAtEpochMs = settings.startAtEpochMs ?? (settings.shard === undefined ? undefined : Date.now());
    if (this.shard === undefined || this.startAtEpochMs === undefined) return;
    const barrierDir = runBarrierDir(settings);
    this.aligner = new LevelAligner({
      shard: this.shard,
      startAtEpochMs: this.startAtEpochMs,
      ...(barrierDir === undefined ? {} : { barrierDir }),
      barrierTimeoutMs: settings.barrierTimeoutMs ?? 600_000,
      barrierMarginMs: settings.barrierMarginMs ?? 1000,
      ...(settings.durationMs === undefined ? {} : { durationMs: settings.durationMs }),
      levelGapMs: settings.levelGapMs ?? 10_000,
    });
  }

  /** The run's clock origin: the start instant on the monotonic clock, so every shard's record times share it. */
  originMs(): number {
    if (this.startAtEpochMs === undefined) return monotonicNowMs();
    return monotonicNowMs() + (this.startAtEpochMs - Date.now());
  }

  /** Before the barrier: estimate this host's clock offset from the target's and read NTP, in the time left. */
  async measureClock(baseUrl: string, apiKey: string | undefined): Promise<void> {
    if (this.shard === undefined || this.startAtEpochMs === undefined) return;
    this.ntp = await readNtpStatus();
    const headers: Record<string, string> = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
    this.server = await probeServerClock(baseUrl, { deadlineEpochMs: this.startAtEpochMs - 200, headers });
  }

  /** After the levels: a shard that had no time to probe before its start probes now (the server is idle). */
  async measureClockAfter(baseUrl: string, apiKey: string | undefined): Promise<void> {
    if (this.shard === undefined || this.server !== undefined) return;
    const headers: Record<string, string> = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
    this.server = await probeServerClock(baseUrl, { deadlineEpochMs: Date.now() + 3000, headers });
  }

  /** Waits for the start instant; a shard that arrives late starts at once and records by how much. */
  async waitForStart(signal: AbortSignal): Promise<void> {
    if (this.startAtEpochMs === undefined) return;
    const waitMs = this.startAtEpochMs - Date.now();
    if (waitMs <= 0) {
      this.lateByMs = -waitMs;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** Before a level's warmups (level-align.ts says what is waited for when). */
  async beforeLevel(level: number, hasWarmups: boolean, signal: AbortSignal): Promise<void> {
    await this.aligner?.beforeLevel(level, this.lateByMs, signal, hasWarmups);
  }

  /** After a level's warmups and preparation, just before its measured load. */
  async beforeMeasured(level: number, signal: AbortSignal): Promise<void> {
    await this.aligner?.beforeMeasured(level, signal);
  }

  /** Warnings about how this shard started the level (late, no common instant, a barrier that gave up). */
  levelWarnings(level: number): string[] {
    return this.aligner?.warnings(level) ?? [];
  }

  get active(): boolean {
    return this.workers > 1 || this.shard !== undefined;
  }

  addWorkerStats(stats: LevelWorkers): void {
    this.stats.push(stats);
  }

  /** Records what this shard was to send at a level (merge checks it against the records). */
  planned(level: number, requests: number, warmup: number): void {
    this.levels.push({ level, expected_requests: Number.isFinite(requests) ? requests : null, expected_warmup: warmup });
  }

  info(): ScaleInfo {
    const info: ScaleInfo = { workers: this.workers };
    if (this.stats.length > 0) info.worker_stats = this.stats;
    if (this.shard !== undefined && this.startAtEpochMs !== undefined) info.shard = { ...this.shard, start_at_epoch_ms: this.startAtEpochMs };
    return info;
  }

  /** Writes shard.json into the run directory (nothing when this run is not a shard). */
  writeShardFile(dir: { writeJson(name: string, value: unknown): void }, config: unknown, status: ShardInfo["status"], error?: string): void {
    this.aligner?.leave(status);
    const info = this.shardFile(config, status, error);
    if (info !== undefined) dir.writeJson("shard.json", info);
  }

  /** shard.json, written last: its presence means the shard finished (merge --wait polls for it). */
  shardFile(config: unknown, status: ShardInfo["status"], error?: string): ShardInfo | undefined {
    if (this.shard === undefined || this.startAtEpochMs === undefined) return undefined;
    const info: ShardInfo = {
      schema: SHARD_SCHEMA,
      index: this.shard.index,
      count: this.shard.count,
      start_at_epoch_ms: this.startAtEpochMs,
      late_by_ms: this.lateByMs,
      status,
      host: hostname(),
      run_key: runKey(config, this.shard.count, this.startAtEpochMs),
      levels: this.levels.map((l) => ({ ...l, ...this.aligner?.startOf(l.level) })),
      clock: { ...(this.server === undefined ? {} : { server: this.server }), ...(this.ntp === undefined ? {} : { ntp: this.ntp }) },
      workers: this.workers,
    };
    if (error !== undefined) info.error = error;
    return info;
  }
}

/** Shards of one run share their configuration (less per-shard fields), shard count and start instant. */
export function runKey(config: unknown, count: number, startAtEpochMs: number): string {
  // The barrier directory is where a shard's host mounts the shared volume: it may differ per host.
  const { shard: _s, out: _o, barrierDir: _b, ...rest } = (config ?? {}) as Record<string, unknown>;
  return createHash("sha256")
    .update(JSON.stringify([rest, count, startAtEpochMs]))
    .digest("hex")
    .slice(0, 16);
}

/** This run's barrier directory: one subdirectory per run, so markers a reused directory holds from another run are never read. */
function runBarrierDir(settings: ScaleSettings): string | undefined {
  if (settings.barrierDir === undefined || settings.shard === undefined || settings.startAtEpochMs === undefined) return undefined;
  return join(settings.barrierDir, runKey(settings, settings.shard.count, settings.startAtEpochMs));
}

/**
 * A shard that fails before its ScaleContext could say so (target unreachable, model discovery,
 * dataset) still leaves the barrier, so its partners start without it instead of waiting out --barrier-timeout.
 */
export function leaveRunBarrier(settings: ScaleSettings, status: string): void {
  const dir = runBarrierDir(settings);
  if (dir !== undefined && settings.shard !== undefined) leave(dir, settings.shard.index, status);
}

/** Shard k of n sends warmups k, k+n, ...: every warmup id stays unique across shards. */
export function isShardWarmup(index: number, shard: ShareStep | undefined): boolean {
  return shard === undefined || index % shard.count === shard.index;
}
