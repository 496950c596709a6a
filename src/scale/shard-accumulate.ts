// Owns one pass over one shard's requests.jsonl for merge: builds per-level partials, record counts and the per-second series. Runs in a merge worker
// thread (one per shard, in parallel) or, from sources, in-process: the same code either way.

import { closeSync, existsSync, openSync } from "node:fs";
import type { RequestRecord } from "../client/record.js";
import { PartialBuilder, type LevelPartial, type PartialOptions } from "./level-partial.js";
import { copyAndParse, type CopyStats } from "./record-stream.js";
import { addToSeries, type SecondBins } from "./series.js";

export interface ShardPass {
  partials: LevelPartial[];
  counts: Array<{ level: number; measured: number; warmup: number }>;
  series: SecondBins;
  stats: CopyStats;
}

/** With `partPath`, also writes the shard's whole lines there (merge uses it only for a shard with malformed lines). */
export async function accumulateShard(path: string, partPath: string | undefined, options: PartialOptions): Promise<ShardPass> {
  const builders = new Map<number, PartialBuilder>();
  const counts = new Map<number, { level: number; measured: number; warmup: number }>();
  const series: SecondBins = [];
  const fd = partPath === undefined ? undefined : openSync(partPath, "w");
  let stats: CopyStats = { lines: 0, malformed: 0, bytes: 0 };
  try {
    if (existsSync(path)) {
      stats = await copyAndParse(path, fd, (r: RequestRecord) => {
        let b = builders.get(r.level);
        if (b === undefined) builders.set(r.level, (b = new PartialBuilder(r.level, options)));
        b.add(r);
        addToSeries(series, r);
        let c = counts.get(r.level);
        if (c === undefined) counts.set(r.level, (c = { level: r.level, measured: 0, warmup: 0 }));
        if (r.warmup) c.warmup++;
        else c.measured++;
      });
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return { partials: [...builders.values()].map((b) => b.finish()), counts: [...counts.values()], series, stats };
}

/** Every transferable buffer of a pass (posting them moves, not copies, the metric arrays). */
export function transferList(pass: ShardPass): ArrayBuffer[] {
  return pass.partials.flatMap((p) => [...Object.values(p.values), ...Object.values(p.sums ?? {}).map((s) => s.limbs)].map((v) => v.buffer as ArrayBuffer));
}
