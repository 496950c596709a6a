// `npm run bench:accuracy`: how exactly servebench's timestamps match the simulator's own token
// emission times (its --trace ground truth) at concurrency 1, 100 and 1000.
// Client pinned to core 0, simulator to core 1 (when taskset exists).

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monotonicNowMs } from "../src/clock.js";
import { MetricsScraper } from "../src/telemetry/scraper.js";
import { driveServebench } from "./lib/drive.js";
import { pinSelf, startSimProcess } from "./lib/sim-process.js";
import { compareWithTrace, readTrace } from "./lib/trace.js";

const PER_TOKEN_MS = Number(process.env.PER_TOKEN_MS ?? 20);
const OUTPUT_TOKENS = 50;
const DURATION_MS = Number(process.env.DURATION_MS ?? 8000);
const LEVELS = (process.env.LEVELS ?? "1,100,1000").split(",").map(Number);
/** SCRAPE=both runs every level with and without a 1 s /metrics scraper (issue 4's overhead check). */
const SCRAPE_MODES = process.env.SCRAPE === "both" ? [false, true] : process.env.SCRAPE === "1" ? [true] : [false];

async function main(): Promise<void> {
  const pinned = pinSelf(0);
  console.log(
    `# accuracy vs simulator ground truth (per-token ${PER_TOKEN_MS} ms, ${OUTPUT_TOKENS} tokens/request, ${DURATION_MS / 1000} s per level, pinned: ${pinned})`,
  );
  console.log(
    "| concurrency | /metrics scraping | requests matched | TTFT error mean (ms) | ITL MAE (ms) | mean emit→timestamp delay (ms) | client ITL p50/p90/p99 | server ITL p50/p90/p99 |",
  );
  console.log("|---:|---|---:|---:|---:|---:|---|---|");
  for (const c of LEVELS) {
    for (const scrape of SCRAPE_MODES) {
      const trace = join(mkdtempSync(join(tmpdir(), "sb-acc-")), "trace.jsonl");
      const sim = await startSimProcess(["--ttft-ms", "20", "--per-token-ms", String(PER_TOKEN_MS), "--batch-slowdown", "0", "--trace", trace]);
      const scraper = scrape ? new MetricsScraper({ url: `${sim.url}/metrics`, intervalMs: 1000, originMs: monotonicNowMs() }) : undefined;
      scraper?.start();
      const run = await driveServebench(sim.url, c, OUTPUT_TOKENS, { durationMs: DURATION_MS });
      await scraper?.stop();
      await sim.stop();
      const f = compareWithTrace(run.records, run.originMs, readTrace(trace));
      const p = (x: Record<string, number>): string => ["p50", "p90", "p99"].map((k) => (x[k] ?? NaN).toFixed(2)).join(" / ");
      const scrapes = scraper ? `1 s (${scraper.scrapes().length} scrapes)` : "off";
      console.log(
        `| ${c} | ${scrapes} | ${f.matched} | ${f.ttftMaeMs.toFixed(3)} | ${f.itlMaeMs.toFixed(3)} | ${f.tokenDelayMeanMs.toFixed(3)} | ${p(f.clientItlP)} | ${p(f.serverItlP)} |`,
      );
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
