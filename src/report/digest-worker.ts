// Owns one worker thread of a parallel requests.jsonl digest: digests its byte range and posts
// the result back as plain data. Started only by digest-parallel.ts.

import { parentPort, workerData } from "node:worker_threads";
import type { SloTerm } from "../config/units.js";
import type { ByteRange } from "./jsonl-lines.js";
import { digestRange, digestToData } from "./request-digest.js";

const { path, slo, range } = workerData as { path: string; slo: SloTerm[] | null; range: ByteRange };
parentPort?.postMessage(digestToData(await digestRange(path, slo, range)));
