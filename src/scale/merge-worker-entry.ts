// Owns one merge worker thread: accumulates one shard (shard-accumulate.ts) and posts the result
// back, moving its metric arrays. Loaded as compiled JS via new URL("./merge-worker-entry.js", import.meta.url).

import { parentPort, workerData } from "node:worker_threads";
import type { PartialOptions } from "./level-partial.js";
import { accumulateShard, transferList } from "./shard-accumulate.js";

interface MergeTask {
  path: string;
  options: PartialOptions;
}

const task = workerData as MergeTask;
accumulateShard(task.path, undefined, task.options).then(
  (pass) => parentPort?.postMessage({ ok: true, pass }, transferList(pass)),
  (error: unknown) => parentPort?.postMessage({ ok: false, message: (error as Error).stack ?? String(error) }),
);
