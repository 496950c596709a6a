// A benchmark from TypeScript: run two levels against the embedded simulator, then read the typed
// summary and stream the raw records back. Compiled and run by test/e2e/library-example.test.ts.
// Usage (after `npm install`): node --experimental-strip-types docs/examples/library.ts [out-dir]
import { forEachRequestRecord, isBenchError, parseSummary, runBenchmark, type LevelSummary, type RunSummary } from "servebench";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2] ?? "results/library-example";

try {
  const { dir, summary, verdict } = await runBenchmark({
    concurrency: [1, 4],
    requests: { kind: "count", n: 8 },
    inputTokens: 64,
    outputTokens: 16,
    strict: true,
    out,
    sim: { ttftMs: 5, perTokenMs: 1 },
  });

  const line = (l: LevelSummary): string =>
    `c=${l.load.kind === "concurrency" ? l.load.concurrency : l.load.rate_per_s} ttft_p50_ms=${l.ttft_ms?.p50?.toFixed(1) ?? "-"} ` +
    `output_tokens_per_s=${l.output_tokens_per_s.toFixed(0)} completed=${l.requests.completed}`;
  for (const level of summary.levels) console.log(line(level));

  // summary.json read back through its schema: a number is a number, or this throws naming the field.
  const fromDisk: RunSummary = parseSummary(JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")), join(dir, "summary.json"));

  // requests.jsonl: one typed record per request, whichever version wrote the file.
  let chunks = 0;
  let records = 0;
  await forEachRequestRecord(join(dir, "requests.jsonl"), (r) => {
    records++;
    chunks += r.tokenChunkMs.length;
  });
  console.log(`verdict=${verdict.status} levels=${fromDisk.levels.length} records=${records} chunks=${chunks}`);
} catch (error) {
  // Bad input is a BenchError with a stable code; a failing server is a recorded outcome, not a throw.
  if (isBenchError(error)) console.error(`${error.code}: ${error.message}`);
  throw error;
}
