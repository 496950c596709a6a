// Owns dividing one load level among N shares (worker threads or shards): concurrency, request
// counts and connections split as evenly as possible, an open-loop rate split N ways, and which
// global request indices each share owns. Pure arithmetic; no I/O, no clocks.

import { BenchError } from "../errors.js";
import { parseShardFlag, type ShareStep } from "../config/flag-values.js";

export { parseShardFlag, type ShareStep };

export type ShareLoad =
  | { kind: "concurrency"; concurrency: number }
  | {
      kind: "rate";
      ratePerSec: number;
      /** Delay of this share's first arrival after the level start (staggers constant/gamma shares). */
      phaseMs: number;
      maxConcurrency?: number;
    };

/** A serialisable description of what one share of a level sends. */
export interface LevelShare {
  path: ShareStep[];
  load: ShareLoad;
  /** Measured requests of this share; Infinity when only a duration bounds the level. */
  requests: number;
  /** Global request index of local job j: firstIndex + j * indexStride (ids `<level>-<index>`). */
  firstIndex: number;
  indexStride: number;
  /** Warmups of this share have global warmup indices warmupFirst .. warmupFirst + warmupCount - 1. */
  warmupFirst: number;
  warmupCount: number;
  connections: number;
}

export interface WholeLevel {
  load: { kind: "concurrency"; concurrency: number } | { kind: "rate"; rate_per_s: number; max_concurrency?: number };
  requests: number;
  connections: number;
  warmup: number;
}

/** The undivided level: what a single-process run sends. */
export function wholeLevelShare(level: WholeLevel): LevelShare {
  const load: ShareLoad =
    level.load.kind === "concurrency"
      ? { kind: "concurrency", concurrency: level.load.concurrency }
      : {
          kind: "rate",
          ratePerSec: level.load.rate_per_s,
          phaseMs: 0,
          ...(level.load.max_concurrency === undefined ? {} : { maxConcurrency: level.load.max_concurrency }),
        };
  return { path: [], load, requests: level.requests, firstIndex: 0, indexStride: 1, warmupFirst: 0, warmupCount: level.warmup, connections: level.connections };
}

/** Splits a non-negative integer into n parts that differ by at most one (larger parts first). */
export function splitConcurrency(total: number, n: number): number[] {
  checkParts(n);
  const base = Math.floor(total / n);
  const extra = total - base * n;
  return Array.from({ length: n }, (_, k) => base + (k < extra ? 1 : 0));
}

/** Splits a rate into n equal rates; the superposition of n Poisson processes at r/n is Poisson at r. */
export function splitRate(ratePerSec: number, n: number): number[] {
  checkParts(n);
  return Array.from({ length: n }, () => ratePerSec / n);
}

/** Splits `total` in proportion to `weights` by largest remainder: parts sum exactly to total. */
export function splitProportional(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, k) => ({ k, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.k - b.k);
  for (const { k } of order) {
    if (left <= 0) break;
    parts[k] = (parts[k] as number) + 1;
    left--;
  }
  return parts;
}

/** Splits a share into n shares; splitting the result again composes (shard, then worker). */
export function splitShare(parent: LevelShare, n: number): LevelShare[] {
  checkParts(n);
  if (n === 1) return [{ ...parent, path: [...parent.path, { index: 0, count: 1 }] }];
  const loads = splitLoad(parent.load, n);
  const weights = loads.map((l) => (l.kind === "concurrency" ? l.concurrency : 1));
  const requests = Number.isFinite(parent.requests) ? splitProportional(parent.requests, weights) : weights.map((w) => (w > 0 ? Infinity : 0));
  const warmups = splitConcurrency(parent.warmupCount, n);
  const active = weights.filter((w) => w > 0).length;
  const connections = splitConcurrency(parent.connections, n);
  let offset = 0;
  let warmOffset = 0;
  let position = 0;
  return loads.map((load, k) => {
    const count = requests[k] as number;
    let firstIndex: number;
    let indexStride: number;
    if (Number.isFinite(parent.requests)) {
      // A finite level: contiguous blocks of the parent's index sequence.
      firstIndex = parent.firstIndex + offset * parent.indexStride;
      indexStride = parent.indexStride;
      offset += count;
    } else {
      // Duration-bound: no block sizes are known, so active shares interleave.
      firstIndex = parent.firstIndex + (weights[k] === 0 ? 0 : position) * parent.indexStride;
      indexStride = parent.indexStride * Math.max(1, active);
      if ((weights[k] as number) > 0) position++;
    }
    const warmupCount = warmups[k] as number;
    const share: LevelShare = {
      path: [...parent.path, { index: k, count: n }],
      load,
      requests: count,
      firstIndex,
      indexStride,
      warmupFirst: parent.warmupFirst + warmOffset,
      warmupCount,
      connections: Math.max(1, load.kind === "concurrency" ? load.concurrency : (connections[k] as number)),
    };
    warmOffset += warmupCount;
    return share;
  });
}

function splitLoad(load: ShareLoad, n: number): ShareLoad[] {
  if (load.kind === "concurrency") {
    return splitConcurrency(load.concurrency, n).map((concurrency) => ({ kind: "concurrency", concurrency }));
  }
  const caps = load.maxConcurrency === undefined ? undefined : splitConcurrency(load.maxConcurrency, n);
  if (caps !== undefined && (caps[n - 1] as number) < 1) {
    throw new BenchError("E_BAD_CONFIG", `--max-concurrency ${load.maxConcurrency} cannot be split over ${n} shares: give each at least 1`, {
      where: "--max-concurrency",
    });
  }
  // Share k of the parent's stream starts k parent-gaps late, so n constant streams interleave
  // into one constant stream at the full rate instead of firing together.
  const gapMs = 1000 / load.ratePerSec;
  return splitRate(load.ratePerSec, n).map((ratePerSec, k) => ({
    kind: "rate",
    ratePerSec,
    phaseMs: load.phaseMs + k * gapMs,
    ...(caps === undefined ? {} : { maxConcurrency: caps[k] as number }),
  }));
}

/** Global index of a share's local job j. */
export function globalIndex(share: LevelShare, localIndex: number): number {
  return share.firstIndex + localIndex * share.indexStride;
}

/** Parses "I/N" (0-based shard index of N). */
function checkParts(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new BenchError("E_BAD_CONFIG", `cannot split a level into ${n} shares`);
}
