// Owns `servebench merge`: shard directories → one run directory. Raw records are concatenated
// byte for byte (every shard's times are already relative to the common start instant), every
// percentile is recomputed from all records, throughputs cover the union of the shards' windows,
// and each shard's clock offset is recorded with its bound, and how each level started on each shard.

import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseWithSchema } from "../config/read-schema.js";
import { perRequestSlo, type SloTerm } from "../config/units.js";
import { BenchError } from "../errors.js";
import type { LevelSummary } from "../metrics/level.js";
import { RunDirectory, writeFileAtomic } from "../report/run-dir.js";
import type { RunSummary } from "../results/run-summary.js";
import { pairwiseSkewBoundMs } from "./clock-offset.js";
import { combinePartials } from "./level-combine.js";
import { alignmentWarnings, mergedLevelStarts } from "./merge-alignment.js";
import type { PartialOptions } from "./level-partial.js";
import { checkShards, shardSetError } from "./merge-check.js";
import { concatClean, concatRaw, runShardPasses } from "./merge-passes.js";
import type { ScaleInfo, ShardSummary } from "../results/scale-info.js";
import { parseSummary } from "../results/summary-schema.js";
import { seriesCsv } from "./series.js";
import type { ShardPass } from "./shard-accumulate.js";
import type { ShardInfo } from "./shard-file.js";
import { type Endpoint, ENDPOINTS } from "../workload/request-spec.js";

export interface MergeOptions {
  out: string;
  /** Merge the shards that finished and record the rest as missing, instead of failing. */
  allowMissing?: boolean;
  /** Number of shards the run had (default: from shard.json). */
  expectCount?: number;
  /** Accumulate shards on worker threads (default: when the compiled worker exists). */
  parallel?: boolean;
}

export interface MergeResult {
  dir: string;
  summary: RunSummary;
  records: number;
}

interface ShardRun {
  dir: string;
  info: ShardInfo;
  summary: RunSummary;
  config: { percentiles: number[]; slo: SloTerm[]; strict: boolean; endpoint: Endpoint } & Record<string, unknown>;
}

/** The fields of a shard's config.json that merging recomputes with (the rest is kept as written). */
const shardConfigSchema = z.looseObject({
  percentiles: z.array(z.number()),
  slo: z.array(z.looseObject({ metric: z.string(), op: z.string(), value: z.number() })),
  strict: z.boolean(),
  endpoint: z.enum(ENDPOINTS),
});

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (cause) {
    throw new BenchError("E_SHARD", `${path}: missing or not JSON: ${(cause as Error).message}`, { where: path, cause });
  }
}

export async function mergeShards(dirs: readonly string[], options: MergeOptions): Promise<MergeResult> {
  const set = checkShards(dirs, options.expectCount);
  if (set.problems.length > 0 && options.allowMissing !== true) throw shardSetError(set);
  if (set.shards.length === 0) throw shardSetError(set);
  const runs: ShardRun[] = set.shards.map(({ dir, info }) => ({
    dir,
    info,
    summary: parseSummary(readJson<unknown>(join(dir, "summary.json")), join(dir, "summary.json")),
    config: parseWithSchema(shardConfigSchema, readJson<unknown>(join(dir, "config.json")), join(dir, "config.json")) as ShardRun["config"],
  }));
  const first = runs[0] as ShardRun;
  // merge owns its --out's files (re-merging rewrites them); the one-run-per-directory check is run's.
  const out = new RunDirectory(options.out, { resume: true });
  out.close();
  const { shard: _shard, startAtEpochMs: _start, barrierDir: _barrier, ...config } = first.config;
  out.writeJson("config.json", { ...config, merged_from: runs.map((r) => r.dir) });
  if (existsSync(join(first.dir, "env.json"))) copyFileSync(join(first.dir, "env.json"), join(options.out, "env.json"));
  const metricsSource = runs.find((r) => existsSync(join(r.dir, "metrics.jsonl")));
  if (metricsSource !== undefined) copyFileSync(join(metricsSource.dir, "metrics.jsonl"), join(options.out, "metrics.jsonl"));

  const paths = runs.map((r) => join(r.dir, "requests.jsonl"));
  const target = join(options.out, "requests.jsonl");
  const [passes] = await Promise.all([runShardPasses(paths, partialOptions(runs), options.parallel), concatRaw(paths, target)]);
  // A torn or damaged line (a killed shard) is left out of the merged file as it was left out of the numbers.
  if (passes.some((p) => p.stats.malformed > 0 || p.stats.tornTail === true)) await concatClean(paths, target);
  const records = passes.reduce((a, p) => a + p.stats.lines - p.stats.malformed, 0);
  const counts = new Map(runs.map((r, k) => [r.info.index, new Map((passes[k] as ShardPass).counts.map((c) => [c.level, c]))]));
  const levelIds = [...new Set(passes.flatMap((p) => p.partials.map((x) => x.level)))].sort((a, b) => a - b);
  const levelSummaries = levelIds.map((level) => finishLevel(combineLevel(level, runs, passes), level, runs, counts));
  const shardSummaries = summarizeShards(set, runs, counts);
  const starts = mergedLevelStarts(
    runs.map((r) => r.info),
    set.count,
    levelIds,
  );
  const startWarnings = alignmentWarnings(starts, set.count);
  const missingLevelWarnings = set.problems.map((p) => `merge: ${p.problem}`);
  for (const l of levelSummaries) l.warnings.push(...(startWarnings.get(l.level) ?? []), ...missingLevelWarnings);
  const summary = buildRunSummary(first, runs, levelSummaries, {
    workers: Math.max(...runs.map((r) => r.info.workers)),
    merged: {
      count: set.count,
      start_at_epoch_ms: first.info.start_at_epoch_ms,
      shards: shardSummaries,
      max_clock_skew_ms: maxSkew(runs),
      missing: set.missing,
      levels: starts,
    },
  });
  out.writeSummary(summary);
  const series = new Map(runs.map((r, k) => [r.info.index, (passes[k] as ShardPass).series]));
  writeFileAtomic(join(options.out, "series.csv"), seriesCsv(series, first.info.start_at_epoch_ms));
  return { dir: options.out, summary, records };
}

/** Recomputed level plus what only shards know: telemetry (shard 0's view of the server), token checks, record counts. */
function finishLevel(s: LevelSummary, level: number, runs: ShardRun[], counts: Map<number, Map<number, { measured: number }>>): LevelSummary {
  const entries = runs.map((r) => ({ run: r, l: r.summary.levels.find((x) => x.level === level) }));
  const server = entries.find((e) => e.l?.server !== undefined)?.l?.server;
  if (server !== undefined) s.server = server;
  const checks = entries.map((e) => e.l?.client_token_check).filter((c) => c !== undefined);
  const firstCheck = checks[0];
  if (firstCheck !== undefined) {
    s.client_token_check = {
      checked: checks.reduce((a, c) => a + c.checked, 0),
      differing: checks.reduce((a, c) => a + c.differing, 0),
      max_abs_diff: Math.max(...checks.map((c) => c.max_abs_diff)),
      tokenizer: firstCheck.tokenizer,
    };
  }
  for (const { run, l } of entries) {
    const expected = run.info.levels.find((x) => x.level === level)?.expected_requests;
    const got = counts.get(run.info.index)?.get(level)?.measured ?? 0;
    if (l === undefined) s.warnings.push(`shard ${run.info.index} (${run.dir}) has no summary for level ${level}`);
    else if (expected !== null && expected !== undefined && got !== expected && !l.interrupted && l.stopped_early === undefined && l.duration_s > 0) {
      s.warnings.push(`shard ${run.info.index} (${run.dir}) has ${got} measured records of level ${level}, expected ${expected}`);
    }
  }
  return s;
}

function summarizeShards(
  set: ReturnType<typeof checkShards>,
  runs: ShardRun[],
  counts: Map<number, Map<number, { measured: number; warmup: number }>>,
): ShardSummary[] {
  const out: ShardSummary[] = runs.map((r) => {
    const perLevel = [...(counts.get(r.info.index)?.values() ?? [])];
    const s: ShardSummary = {
      index: r.info.index,
      dir: r.dir,
      host: r.info.host,
      status: r.info.status,
      records: perLevel.reduce((a, c) => a + c.measured + c.warmup, 0),
      late_by_ms: r.info.late_by_ms,
      workers: r.info.workers,
      clock: r.info.clock,
    };
    const problem = set.problems.find((p) => p.index === r.info.index);
    if (problem !== undefined) s.problem = problem.problem;
    return s;
  });
  for (const index of set.missing) {
    const problem = set.problems.find((p) => p.index === index);
    out.push({
      index,
      dir: problem?.dir ?? "",
      host: "",
      status: "missing",
      records: 0,
      late_by_ms: 0,
      workers: 0,
      clock: {},
      problem: problem?.problem ?? "missing",
    });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** What every shard's pass needs; chat prompt checks only if the shards could count templates exactly (no strict note). */
function partialOptions(runs: ShardRun[]): PartialOptions {
  const c = (runs[0] as ShardRun).config;
  const strict = runs.flatMap((r) => r.summary.levels).find((l) => l.strict !== undefined)?.strict;
  return { slo: perRequestSlo(c.slo), strict: c.strict, endpoint: c.endpoint, templateExact: strict !== undefined && strict.note === undefined };
}

/** The level recomputed from every shard's partial; load and options from the first shard that ran it. */
function combineLevel(level: number, runs: ShardRun[], passes: ShardPass[]): LevelSummary {
  const entry = runs.map((r) => r.summary.levels.find((l) => l.level === level)).find((l) => l !== undefined);
  if (entry === undefined) throw new BenchError("E_SHARD", `records of level ${level} but no shard summary lists that level`);
  const c = (runs[0] as ShardRun).config;
  return combinePartials(
    passes.flatMap((p) => p.partials.filter((x) => x.level === level)),
    {
      ...partialOptions(runs),
      sloTerms: c.slo,
      level,
      load: entry.load,
      percentiles: c.percentiles,
      interrupted: runs.some((r) => r.summary.levels.find((l) => l.level === level)?.interrupted === true),
    },
  );
}

/** Largest pairwise bound on clock disagreement; null unless every shard has a server-clock estimate. */
function maxSkew(runs: ShardRun[]): number | null {
  const offsets = runs.map((r) => r.info.clock.server);
  if (offsets.some((o) => o === undefined)) return null;
  let max = 0;
  for (const a of offsets) for (const b of offsets) if (a !== undefined && b !== undefined) max = Math.max(max, pairwiseSkewBoundMs(a, b));
  return max;
}

function buildRunSummary(first: ShardRun, runs: ShardRun[], levels: LevelSummary[], scale: ScaleInfo): RunSummary {
  const startedAt = runs.map((r) => r.summary.run.started_at).sort()[0] ?? first.summary.run.started_at;
  const finished = runs
    .map((r) => r.summary.run.finished_at)
    .filter((x): x is string => x !== undefined)
    .sort();
  const { scale: _s, ...run } = first.summary.run;
  const summary: RunSummary = {
    ...first.summary,
    run: { ...run, started_at: startedAt, interrupted: runs.some((r) => r.summary.run.interrupted), scale },
    levels,
  };
  const last = finished[finished.length - 1];
  if (last !== undefined) summary.run.finished_at = last;
  const skew = scale.merged?.max_clock_skew_ms;
  if (skew !== null && skew !== undefined && skew > 50) {
    for (const l of levels) l.warnings.push(`shard clocks may disagree by up to ${skew.toFixed(0)} ms: per-second series and level windows are that uncertain`);
  }
  return summary;
}
