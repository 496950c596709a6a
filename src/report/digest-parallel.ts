// Owns digesting a large requests.jsonl on several cores: the file is cut at newlines into byte
// ranges, each digested by a worker thread (digest-worker.js), and the digests merged in file
// order. Small files, or a build without the compiled worker (tests run TS), stay on one thread.

import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { SloTerm } from "../config/units.js";
import { BenchError, type BenchErrorCode } from "../errors.js";
import type { ByteRange } from "./jsonl-lines.js";
import { digestFromData, digestRange, mergeDigest, type RunDigest } from "./request-digest.js";

/** Below this a single thread is as fast as starting workers. */
const PARALLEL_MIN_BYTES = 64 << 20;

/** Cuts [0, size) into about `parts` ranges, each starting just after a newline. */
export function splitAtNewlines(path: string, parts: number): ByteRange[] {
  const size = statSync(path).size;
  const cuts = [0];
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(1 << 16);
    for (let k = 1; k < parts; k++) {
      let pos = Math.max(Math.floor((size * k) / parts), cuts[cuts.length - 1] as number);
      let found = -1;
      while (found === -1 && pos < size) {
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n <= 0) break;
        const nl = buf.subarray(0, n).indexOf(10);
        if (nl !== -1) found = pos + nl + 1;
        else pos += n;
      }
      if (found !== -1 && found < size && found > (cuts[cuts.length - 1] as number)) cuts.push(found);
    }
  } finally {
    closeSync(fd);
  }
  cuts.push(size);
  return cuts.slice(0, -1).map((start, i) => ({ start, end: cuts[i + 1] as number }));
}

function workerCount(path: string): number {
  const forced = Number(process.env.SERVEBENCH_REPORT_WORKERS);
  if (process.env.SERVEBENCH_REPORT_WORKERS !== undefined && Number.isInteger(forced) && forced >= 0) return forced;
  return statSync(path).size >= PARALLEL_MIN_BYTES ? Math.min(4, availableParallelism()) : 0;
}

function runWorker(script: string, path: string, slo: readonly SloTerm[] | null, range: ByteRange): Promise<RunDigest> {
  return new Promise((resolve, reject) => {
    // --input-type (from `node -e`) is refused for a worker started from a file.
    const execArgv = process.execArgv.filter((a) => !a.startsWith("--input-type"));
    const worker = new Worker(script, { workerData: { path, slo, range }, execArgv });
    worker.once("message", (data: unknown) => {
      const failed = (data as { failed?: { code?: BenchErrorCode; message: string } } | null)?.failed;
      if (failed === undefined) resolve(digestFromData(data));
      else reject(failed.code === undefined ? new Error(failed.message) : new BenchError(failed.code, failed.message));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`digest worker exited with code ${code}`));
    });
  });
}

/**
 * Streams a run's requests.jsonl into a digest, on several threads when it is large.
 * `SERVEBENCH_REPORT_WORKERS=N` forces N workers (0 = one thread).
 * @example const digest = await digestRequests("run/requests.jsonl", parseSlo("ttft_ms<=500", "--slo"));
 */
export async function digestRequests(path: string, slo: readonly SloTerm[] | null): Promise<RunDigest> {
  const script = fileURLToPath(new URL("./digest-worker.js", import.meta.url));
  const workers = workerCount(path);
  if (workers < 2 || !existsSync(script)) return digestRange(path, slo);
  const digests = await Promise.all(splitAtNewlines(path, workers).map((range) => runWorker(script, path, slo, range)));
  const [first, ...rest] = digests;
  if (!first) return digestRange(path, slo);
  for (const d of rest) mergeDigest(first, d);
  return first;
}
