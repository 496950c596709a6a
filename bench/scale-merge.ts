// Bench: `servebench merge` of 4 shards × 1,000,000 records (16 output tokens each): wall time
// and peak memory (RSS high-water mark). Targets: under 30 s and under 2 GiB.
// SHARDS and RECORDS override the sizes; KEEP=1 keeps the files; DIR=<kept dir> reuses them.

import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeShards } from "../src/scale/merge-run.js";
import { writeFakeShard } from "./scale-fake-shards.js";

const shards = Number(process.env["SHARDS"] ?? 4);
const records = Number(process.env["RECORDS"] ?? 1_000_000);
const outputTokens = 16;
const reuse = process.env["DIR"];
const root = reuse ?? mkdtempSync(join(tmpdir(), "sb-merge-bench-"));
const dirs = Array.from({ length: shards }, (_, i) => join(root, `shard-${i}`));

const t0 = performance.now();
if (reuse === undefined || !existsSync(join(root, "shard-0")))
  dirs.forEach((dir, index) =>
    writeFakeShard({ dir, index, count: shards, perLevel: [records], outputTokens, seed: 11, errorRate: 0.01, serverOffsetMs: index * 2 }),
  );
const bytes = dirs.reduce((a, d) => a + statSync(join(d, "requests.jsonl")).size, 0);
console.log(
  `wrote ${shards} × ${records.toLocaleString()} records (${(bytes / 2 ** 30).toFixed(2)} GiB of JSONL) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const rssBefore = process.memoryUsage().rss;
const t1 = performance.now();
const result = await mergeShards(dirs, { out: join(root, "merged"), ...(process.env["PARALLEL"] === "0" ? { parallel: false } : {}) });
const seconds = (performance.now() - t1) / 1000;
const peak = process.resourceUsage().maxRSS * 1024;
const level = result.summary.levels[0];
console.log(
  `merged ${result.records.toLocaleString()} records in ${seconds.toFixed(1)} s (${Math.round(result.records / seconds).toLocaleString()} records/s, ${(bytes / 2 ** 20 / seconds).toFixed(0)} MiB/s)`,
);
console.log(
  `peak RSS ${(peak / 2 ** 30).toFixed(2)} GiB (${(rssBefore / 2 ** 20).toFixed(0)} MiB before merging); itl_ms values: ${level?.itl_ms?.count.toLocaleString()}`,
);
console.log(`ttft_ms p50/p99 ${level?.ttft_ms?.["p50"]?.toFixed(3)}/${level?.ttft_ms?.["p99"]?.toFixed(3)}  itl_ms p99 ${level?.itl_ms?.["p99"]?.toFixed(3)}`);
console.log(`targets: time < 30 s ${seconds < 30 ? "met" : "MISSED"}, peak < 2 GiB ${peak < 2 * 2 ** 30 ? "met" : "MISSED"}`);
if (process.env["KEEP"] !== "1" && reuse === undefined) rmSync(root, { recursive: true, force: true });
else console.log(`files kept in ${root}`);
