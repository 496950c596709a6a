// Owns deciding which shard directories make up one run and what is wrong with the rest:
// missing indices, failed or interrupted shards, shards of another run. Never drops a shard
// silently: every problem is named with its directory.

import { BenchError } from "../errors.js";
import { readShardInfo, type ShardInfo } from "./shard-file.js";

export interface ShardSet {
  count: number;
  /** Usable shards, by index. */
  shards: Array<{ dir: string; info: ShardInfo }>;
  /** One line per problem, naming the shard and what is missing. */
  problems: Array<{ index: number | null; dir: string | null; problem: string }>;
  missing: number[];
}

export function checkShards(dirs: readonly string[], expectCount?: number): ShardSet {
  const found: Array<{ dir: string; info: ShardInfo }> = [];
  const problems: ShardSet["problems"] = [];
  for (const dir of dirs) {
    try {
      found.push({ dir, info: readShardInfo(dir) });
    } catch (error) {
      if (!(error instanceof BenchError)) throw error;
      const m = /shard-(\d+)\/?$/.exec(dir);
      problems.push({ index: m ? Number(m[1]) : null, dir, problem: error.message });
    }
  }
  const count = expectCount ?? found[0]?.info.count ?? dirs.length;
  const key = found[0]?.info.run_key;
  const byIndex = new Map<number, { dir: string; info: ShardInfo }>();
  for (const s of found) {
    if (s.info.count !== count || s.info.run_key !== key) {
      problems.push({
        index: s.info.index,
        dir: s.dir,
        problem: `${s.dir}: shard ${s.info.index}/${s.info.count} of another run (run key ${s.info.run_key}, expected ${String(key)} with ${count} shards)`,
      });
      continue;
    }
    if (byIndex.has(s.info.index)) {
      problems.push({ index: s.info.index, dir: s.dir, problem: `${s.dir}: shard ${s.info.index} given twice (also ${byIndex.get(s.info.index)?.dir})` });
      continue;
    }
    if (s.info.status !== "complete") {
      const why = s.info.error === undefined ? "" : `: ${s.info.error}`;
      problems.push({ index: s.info.index, dir: s.dir, problem: `${s.dir}: shard ${s.info.index} ${s.info.status}${why}` });
    }
    byIndex.set(s.info.index, s);
  }
  const missing: number[] = [];
  for (let i = 0; i < count; i++) {
    if (byIndex.has(i)) continue;
    missing.push(i);
    if (!problems.some((p) => p.index === i)) problems.push({ index: i, dir: null, problem: `shard ${i} of ${count}: no directory given` });
  }
  problems.sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
  const shards = [...byIndex.values()].sort((a, b) => a.info.index - b.info.index);
  return { count, shards, problems, missing };
}

/** The error `merge` raises without --allow-missing: every problem, one per line. */
export function shardSetError(set: ShardSet): BenchError {
  const lines = set.problems.map((p) => `  - ${p.problem}`).join("\n");
  return new BenchError("E_SHARD", `cannot merge ${set.count} shards (pass --allow-missing to merge the rest and record the gaps):\n${lines}`);
}
