// Owns the `run.scale` block of summary.json: how many workers and shards generated the load,
// how busy each was, and (for merged runs) each shard's clock offset, each level's start across
// the shards, and what was missing. Data shapes only; src/scale computes them.

export interface ClockOffset {
  /** Midpoint estimate of server − local, ms. */
  offset_ms: number;
  /** Half-width of the interval: the true offset is within offset_ms ± bound_ms. */
  bound_ms: number;
  samples: number;
  source: "http-date";
}

export interface NtpStatus {
  source: "chronyc";
  /** chrony's estimate of how far the system clock is from true time (positive: fast). */
  offset_ms: number;
  root_dispersion_ms: number;
}

export type AlignedBy = "start-at" | "barrier" | "schedule" | "none";

export interface MergedLevelStart {
  level: number;
  /** `mixed` when shards disagree; `unknown` for shard files of older versions. */
  aligned_by: AlignedBy | "mixed" | "unknown";
  /** The common instant (epoch ms) the level started at; null when not aligned. */
  start_at_epoch_ms: number | null;
  /** By shard index: how late each shard started the level; null when unknown (missing shard, older file). */
  late_by_ms: Array<number | null>;
  /** Shards a barrier gave up on before this level. */
  barrier_missing: number[];
}

export interface WorkerStats {
  worker: number;
  requests: number;
  cpu_ms: number;
  wall_ms: number;
  /** cpu_ms / wall_ms of the measured phase: 1 = one core saturated. */
  busy: number;
  cpu_scope: "thread" | "process";
}

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
