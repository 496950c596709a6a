// `npm run bench:client`: the client's capacity. For S streams × 200 tokens/s (one token per
// read), servebench's hot path vs a bare socket reader: tokens/s received, CPU µs per token,
// ITL percentiles vs the server's own emission times; then memory per in-flight stream and
// errors at 10,000 concurrent streams. Client on core 0, simulator on core 1.
// Any server: BENCH_URL=http://host:port skips the simulator (no ground-truth ITL then).

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { driveBare } from "./lib/bare-reader.js";
import { driveServebench } from "./lib/drive.js";
import { pinSelf, startSimProcess } from "./lib/sim-process.js";
import { compareWithTrace, readTrace } from "./lib/trace.js";

const DURATION_MS = Number(process.env.DURATION_MS ?? 10_000);
const STREAMS = (process.env.STREAMS ?? "256,512").split(",").map(Number);
const BIG = Number(process.env.BIG_STREAMS ?? 10_000);

async function withSim<T>(args: string[], body: (url: string, trace: string) => Promise<T>): Promise<T> {
  const trace = join(mkdtempSync(join(tmpdir(), "sb-cap-")), "trace.jsonl");
  if (process.env.BENCH_URL) return body(process.env.BENCH_URL, "");
  const sim = await startSimProcess([...args, "--trace", trace]);
  try {
    return await body(sim.url, trace);
  } finally {
    await sim.stop();
  }
}

const SIM_ARGS = ["--ttft-ms", "0", "--per-token-ms", "5", "--batch-slowdown", "0"];

async function capacity(streams: number): Promise<void> {
  const ideal = streams * 200;
  // Warm up the JIT on both paths first.
  await withSim(SIM_ARGS, async (url) => {
    await driveServebench(url, Math.min(streams, 64), 100, 1500);
    await driveBare(url, Math.min(streams, 64), 100, 1500);
  });
  const bare = await withSim(SIM_ARGS, (url) => driveBare(url, streams, 200, DURATION_MS));
  let itl = "";
  const ours = await withSim(SIM_ARGS, async (url, trace) => {
    const r = await driveServebench(url, streams, 200, DURATION_MS);
    return { r, trace };
  });
  if (ours.trace) {
    const f = compareWithTrace(ours.r.records, ours.r.originMs, readTrace(ours.trace));
    const p = (x: Record<string, number>): string => ["p50", "p90", "p99"].map((k) => (x[k] ?? NaN).toFixed(2)).join("/");
    itl = `client ${p(f.clientItlP)} vs server ${p(f.serverItlP)} (MAE ${f.itlMaeMs.toFixed(3)} ms)`;
  }
  const rate = (tokens: number, ms: number): number => tokens / (ms / 1000);
  const oursRate = rate(ours.r.tokens, ours.r.wallMs);
  const bareRate = rate(bare.tokens, bare.wallMs);
  console.log(
    `| ${streams} × 200 tok/s | ${ideal} | ${bareRate.toFixed(0)} (${((bareRate / ideal) * 100).toFixed(1)}%) | ${(bare.cpuUs / bare.tokens).toFixed(2)} | ` +
      `${oursRate.toFixed(0)} (${((oursRate / bareRate) * 100).toFixed(1)}% of bare) | ${(ours.r.cpuUs / ours.r.tokens).toFixed(2)} | ${itl} |`,
  );
}

async function bigConcurrency(): Promise<void> {
  // 10,000 streams × 2 tokens/s: enough in flight to measure memory per stream, little CPU.
  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 200);
  const r = await withSim(["--ttft-ms", "0", "--per-token-ms", "500", "--batch-slowdown", "0"], (url) => driveServebench(url, BIG, 20, 15_000));
  clearInterval(sampler);
  const errors = r.records.filter((x) => x.outcome !== "ok");
  const codes = [...new Set(errors.map((e) => e.error?.code ?? e.outcome))].join(", ");
  console.log(
    `\n${BIG} concurrent streams: ${r.records.length} requests, ${errors.length} errors${codes ? ` (${codes})` : ""}; ` +
      `memory per in-flight stream: RSS ${((peakRss - before.rss) / BIG / 1024).toFixed(1)} KiB, heap ${((peakHeap - before.heapUsed) / BIG / 1024).toFixed(1)} KiB`,
  );
}

async function main(): Promise<void> {
  const pinned = pinSelf(0);
  console.log(`# client capacity (${DURATION_MS / 1000} s per run, client pinned to core 0: ${pinned}, one token per read)`);
  console.log("| load | ideal tok/s | bare reader tok/s | bare µs/token | servebench tok/s | servebench µs/token | ITL p50/p90/p99 (ms) |");
  console.log("|---|---:|---:|---:|---:|---:|---|");
  for (const s of STREAMS) await capacity(s);
  if (BIG > 0) await bigConcurrency();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
