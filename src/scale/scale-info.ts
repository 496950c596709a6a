// Owns the `run.scale` block of summary.json: how many workers and shards generated the load,
// how busy each was, and (for merged runs) each shard's clock offset, each level's start across
// the shards, and what was missing.

import type { ClockOffset } from "./clock-offset.js";
import type { NtpStatus } from "./clock-probe.js";
import type { MergedLevelStart } from "./merge-alignment.js";
import type { WorkerStats } from "./worker-protocol.js";

export interface LevelWorkers {
  level: number;
  workers: WorkerStats[];
  /** The thread that received records and wrote them. */
  coordinator: { cpu_ms: number; wall_ms: number; busy: number };
}

export interface ShardSummary {
  index: number;
  dir: string;
  host: string;
  status: "complete" | "interrupted" | "failed" | "missing";
  records: number;
  late_by_ms: number;
  workers: number;
  clock: { server?: ClockOffset; ntp?: NtpStatus };
  problem?: string;
}

export interface ScaleInfo {
  workers: number;
  /** Per level, per worker CPU time over wall time (only when workers > 1). */
  worker_stats?: LevelWorkers[];
  /** Set on a shard's own run directory. */
  shard?: { index: number; count: number; start_at_epoch_ms: number };
  /** Set by `servebench merge`. */
  merged?: {
    count: number;
    start_at_epoch_ms: number;
    shards: ShardSummary[];
    /** Upper bound on how far any two shards' clocks (and so their timelines) may disagree, ms; null when unknown. */
    max_clock_skew_ms: number | null;
    missing: number[];
    /** Per level: how its start was aligned across shards and how late each shard started it. */
    levels: MergedLevelStart[];
  };
}
