// Owns one worker thread of a parallel requests.jsonl digest: digests its byte range and posts
// the result back as plain data. Started only by digest-parallel.ts.

import { parentPort, workerData } from "node:worker_threads";
import { isBenchError } from "../errors.js";
import type { SloTerm } from "../config/units.js";
import type { ByteRange } from "./jsonl-lines.js";
import { digestRange, digestToData } from "./request-digest.js";

const { path, slo, range } = workerData as { path: string; slo: SloTerm[] | null; range: ByteRange };
try {
  parentPort?.postMessage(digestToData(await digestRange(path, slo, range)));
} catch (error) {
  // A bad record is the user's input, not a crash: hand the BenchError's code and message back.
  parentPort?.postMessage({ failed: { code: isBenchError(error) ? error.code : undefined, message: error instanceof Error ? error.message : String(error) } });
}
