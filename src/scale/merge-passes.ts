// Owns running the per-shard merge passes: on worker threads, up to one per core, when the
// compiled worker exists (dist/), else in this thread (tests run from sources); and joining the
// shards' requests.jsonl files into one, in shard order, while the passes run.

import { closeSync, copyFileSync, createReadStream, existsSync, openSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { BenchError } from "../errors.js";
import type { PartialOptions } from "./level-partial.js";
import { copyAndParse } from "./record-stream.js";
import { accumulateShard, type ShardPass } from "./shard-accumulate.js";

const WORKER = new URL("./merge-worker-entry.js", import.meta.url);

function onThread(path: string, options: PartialOptions): Promise<ShardPass> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { path, options } });
    worker.once("message", (m: { ok: true; pass: ShardPass } | { ok: false; message: string }) => {
      if (m.ok) resolve(m.pass);
      else reject(new BenchError("E_WORKER", `merge worker for ${path} failed: ${m.message}`));
      void worker.terminate();
    });
    worker.once("error", (e) => reject(new BenchError("E_WORKER", `merge worker for ${path} crashed: ${e.message}`, { cause: e })));
  });
}

/** Accumulates every shard; results are in input order whatever order they finish in. */
export async function runShardPasses(jobs: readonly string[], options: PartialOptions, parallel?: boolean): Promise<ShardPass[]> {
  const threads = (parallel ?? existsSync(fileURLToPath(WORKER))) && jobs.length > 1;
  if (!threads) {
    const out: ShardPass[] = [];
    for (const path of jobs) out.push(await accumulateShard(path, undefined, options));
    return out;
  }
  const results: ShardPass[] = new Array<ShardPass>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const k = next++;
      results[k] = await onThread(jobs[k] as string, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs.length, availableParallelism()) }, lane));
  return results;
}

/** Concatenates the files byte for byte (missing ones are skipped); the first is copied by the kernel. */
export async function concatRaw(paths: readonly string[], target: string): Promise<void> {
  const present = paths.filter((p) => existsSync(p));
  if (present.length === 0) {
    closeSync(openSync(target, "w"));
    return;
  }
  copyFileSync(present[0] as string, target);
  const fd = openSync(target, "a");
  try {
    for (const path of present.slice(1)) {
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) writeSync(fd, chunk as Buffer);
    }
  } finally {
    closeSync(fd);
  }
}

/** Concatenates whole, parseable lines only: for shards killed mid-write or with damaged lines. */
export async function concatClean(paths: readonly string[], target: string): Promise<void> {
  const fd = openSync(target, "w");
  try {
    for (const path of paths) if (existsSync(path)) await copyAndParse(path, fd, () => {});
  } finally {
    closeSync(fd);
  }
}
