// `npm run bench:client`: what servebench's client costs, against an independent mock server
// (bench/mock-sse-server.ts, its own process) and a bare Node socket reader (the floor):
//  1. S streams × N tokens at one token per read: tokens/s (% of the reader), CPU µs per token for
//     both and their ratio (goal ≤ 1.3), ITL vs the mock's own send gaps;
//  2. client-added TTFT when 256 streams start together (goal ≤ 5 ms): servebench's TTFT less the bare reader's,
//     and the mock's CPU over each run; then, for each side, the same TTFT split by its own timestamps into
//     the client's send and receive delays and the mock's accept/queue between them; last, over all runs,
//     the client-side parts of both (the headline: the mock's queue is noise between runs);
//  3. memory per in-flight stream at 1,000 streams (goal ≤ 20 KB);
//  4. `run --workers auto` vs `--workers 1`, total tokens/s (goal ≥ 1.8× when the server is not the limit),
//     the cores the CLI and the mock used, and the most the machine's cores allow at those costs per token.
// Client pinned to core 0, mock to core 1 (1–3). Env: STREAMS, OUTPUT_TOKENS, PER_TOKEN_MS, DURATION_MS,
// REPEAT, TTFT_STREAMS, MEM_STREAMS, WORKERS_CONCURRENCY (STREAMS and these: 0 skips a section), BENCH_URL (any server, 1 only).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bareStartTogether, driveBare } from "./lib/bare-reader.js";
import { driveServebench } from "./lib/drive.js";
import { startMockProcess, type MockOptions } from "./lib/mock-process.js";
import { childrenCpuMs } from "./lib/proc-cpu.js";
import { pinSelf } from "./lib/sim-process.js";
import { measureClockOffset, type ClockOffset } from "./lib/clock-offset.js";
import { watchRequestWrites } from "./lib/request-writes.js";
import { compareWithTrace, readTrace } from "./lib/trace.js";
import { splitTtft, type ClientStart, type TtftSplit } from "./lib/ttft-split.js";

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const STREAMS = env("STREAMS", 256);
const OUTPUT_TOKENS = env("OUTPUT_TOKENS", 512);
const PER_TOKEN_MS = env("PER_TOKEN_MS", 5);
const DURATION_MS = env("DURATION_MS", 10_000);
const REPEAT = env("REPEAT", 1);
const TTFT_STREAMS = env("TTFT_STREAMS", 256);
const MEM_STREAMS = env("MEM_STREAMS", 1000);
const WORKERS_CONCURRENCY = env("WORKERS_CONCURRENCY", 256);
const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** `mockCpuMs`: the mock's CPU time so far (NaN against BENCH_URL). */
async function withMock<T>(opts: MockOptions, body: (url: string, trace: string, mockCpuMs: () => number) => Promise<T>): Promise<T> {
  if (process.env.BENCH_URL) return body(process.env.BENCH_URL, "", () => NaN);
  const trace = join(mkdtempSync(join(tmpdir(), "sb-cap-")), "trace.jsonl");
  const mock = await startMockProcess({ ...opts, trace });
  try {
    return await body(mock.url, trace, () => mock.cpuMs());
  } finally {
    await mock.stop();
  }
}

/** Runs `body` and returns its result with the mock's CPU time over it and the wall time, ms. */
async function withCpu<T>(mockCpuMs: () => number, body: () => Promise<T>): Promise<{ r: T; mockMs: number; wallMs: number }> {
  const cpu0 = mockCpuMs();
  const t0 = performance.now();
  const r = await body();
  return { r, mockMs: mockCpuMs() - cpu0, wallMs: performance.now() - t0 };
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const f2 = (x: number): string => x.toFixed(2);

async function capacity(): Promise<void> {
  const mock = { perTokenMs: PER_TOKEN_MS, core: 1 };
  await withMock(mock, async (url) => {
    // Warm up the JIT on both paths first.
    await driveServebench(url, Math.min(STREAMS, 64), 100, { durationMs: 1500 });
    await driveBare(url, Math.min(STREAMS, 64), 100, 1500);
  });
  console.log(`\n## 1. ${STREAMS} streams × ${OUTPUT_TOKENS} tokens, one token per read every ${PER_TOKEN_MS} ms (${DURATION_MS / 1000} s each)`);
  console.log(
    "| run | load avg | reader tok/s | reader µs/token | servebench tok/s | % of reader | servebench µs/token | ratio (goal ≤ 1.3) | ITL p50/p90/p99 client vs mock (ms) | ITL error |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---|---|");
  for (let run = 1; run <= REPEAT; run++) {
    const load = loadavg()[0]?.toFixed(2) ?? "?";
    const bare = await withMock(mock, (url) => driveBare(url, STREAMS, OUTPUT_TOKENS, DURATION_MS));
    const ours = await withMock(mock, async (url, trace) => ({ r: await driveServebench(url, STREAMS, OUTPUT_TOKENS, { durationMs: DURATION_MS }), trace }));
    let itl = "(no trace)";
    let itlError = "";
    if (ours.trace !== "") {
      const f = compareWithTrace(ours.r.records, ours.r.originMs, readTrace(ours.trace));
      const p = (x: Record<string, number>): string => ["p50", "p90", "p99"].map((k) => f2(x[k] ?? NaN)).join("/");
      itl = `${p(f.clientItlP)} vs ${p(f.serverItlP)}`;
      const d = (k: string): string => f2(Math.abs((f.clientItlP[k] ?? NaN) - (f.serverItlP[k] ?? NaN)));
      itlError = `p50 ${d("p50")}, p90 ${d("p90")} ms; MAE ${f.itlMaeMs.toFixed(3)} ms (${f.matched} requests)`;
    }
    const rate = (tokens: number, ms: number): number => tokens / (ms / 1000);
    const oursRate = rate(ours.r.tokens, ours.r.wallMs);
    const bareRate = rate(bare.tokens, bare.wallMs);
    const bareUs = bare.cpuUs / bare.tokens;
    const oursUs = ours.r.cpuUs / ours.r.tokens;
    console.log(
      `| ${run} | ${load} | ${bareRate.toFixed(0)} | ${f2(bareUs)} | ${oursRate.toFixed(0)} | ${((oursRate / bareRate) * 100).toFixed(1)}% | ${f2(oursUs)} | ` +
        `${(oursUs / bareUs).toFixed(2)}× | ${itl} | ${itlError} |`,
    );
  }
}

async function startTogether(): Promise<void> {
  // Every stream starts at the same instant on a fresh connection; the mock sends its first token
  // as soon as a request arrives. TTFT here is connect + accept + request + first chunk handled,
  // less the mock's own TTFT; the bare reader's is the floor (the kernel's and the mock's share),
  // so servebench's excess over it is what the client adds.
  // Both sides read all 16 tokens of every stream, so the mock writes as much for each; its CPU
  // over each run is printed to show it. The mock's accept queue (one core accepting 256
  // connections between decode ticks) moves by tens of ms from run to run with the same work, so
  // the headline compares the client-side parts (send + receive, by the client's own clock),
  // median over REPEAT runs.
  // The second and third lines split the same requests' TTFT with each side's own timestamps
  // (bench/lib/ttft-split.ts): the client's send and receive, and the mock's accept/queue between.
  // The mock's clock offset is measured before and after each run; the split uses the one before.
  const ttfts = async (
    run: (url: string) => Promise<ClientStart[]>,
  ): Promise<{ sorted: number[]; split: TtftSplit[]; mockMs: number; wallMs: number; offsets: ClockOffset[] }> => {
    const { rows, trace, offsets } = await withMock({ perTokenMs: PER_TOKEN_MS, core: 1 }, async (url, t, mockCpuMs) => {
      const before = await measureClockOffset(url);
      const rows = await withCpu(mockCpuMs, () => run(url));
      return { rows, trace: t, offsets: [before, await measureClockOffset(url)] };
    });
    const truth = trace === "" ? new Map() : readTrace(trace);
    const out: number[] = [];
    for (const row of rows.r) {
      const t = row.responseId === undefined ? undefined : truth.get(row.responseId);
      const emit0 = t?.emitMs[0];
      if (t !== undefined && emit0 !== undefined && row.ttftMs !== undefined) out.push(row.ttftMs - (emit0 - t.arrivalMs));
    }
    return { sorted: out.sort((a, b) => a - b), split: splitTtft(rows.r, truth, offsets[0]?.offsetMs ?? 0), mockMs: rows.mockMs, wallMs: rows.wallMs, offsets };
  };
  const at = (xs: number[], p: number): string => f2(percentile(xs, p));
  const mock = (run: { mockMs: number; wallMs: number }): string => `${run.mockMs.toFixed(0)} ms in ${run.wallMs.toFixed(0)} ms`;
  console.log(`\n## 2. TTFT less the mock's own, ${TTFT_STREAMS} streams started together on fresh connections (ms, p50/p99)`);
  // One figure per REPEAT: on a shared machine a single start of 256 streams moves by tens of ms.
  const perRun: Array<{ ours: number; bare: number; oursClient: number; bareClient: number }> = [];
  for (let run = 1; run <= REPEAT; run++) {
    let handedMs: number[] = [];
    // A closed-loop slot is due the moment it starts (src/load/runner.ts), so each of servebench's
    // 256 sends has its own scheduled time, spread over its synchronous send loop; the reader's
    // TTFT starts at one common time, before its connect loop.
    let scheduledSpanMs = NaN;
    const oursRun = await ttfts(async (url) => {
      // When the transport wrote each request: servebench's records have no such time.
      const writes = watchRequestWrites();
      try {
        const r = await driveServebench(url, TTFT_STREAMS, 16, { requests: TTFT_STREAMS, label: writes.label });
        const scheduled = r.records.map((rec) => rec.scheduledMs);
        scheduledSpanMs = Math.max(...scheduled) - Math.min(...scheduled);
        handedMs = r.records.flatMap((rec) => {
          const createdMs = writes.createdMs(rec.id);
          return createdMs === undefined ? [] : [createdMs - (rec.scheduledMs + r.originMs)];
        });
        return r.records.map((rec) => ({
          responseId: rec.responseId,
          ttftMs: rec.firstTokenMs === undefined ? undefined : rec.firstTokenMs - rec.scheduledMs,
          scheduledMs: rec.scheduledMs + r.originMs,
          writtenMs: writes.writtenMs(rec.id),
          firstTokenMs: rec.firstTokenMs === undefined ? undefined : rec.firstTokenMs + r.originMs,
        }));
      } finally {
        writes.stop();
      }
    });
    const bareRun = await ttfts(async (url) =>
      (await bareStartTogether(url, TTFT_STREAMS, 16)).map((b) => ({ ...b, scheduledMs: b.startMs, ttftMs: b.firstTokenMs - b.startMs })),
    );
    const [ours, bare] = [oursRun.sorted, bareRun.sorted];
    console.log(
      `run ${run} (load ${loadavg()[0]?.toFixed(2) ?? "?"}): servebench ${at(ours, 50)}/${at(ours, 99)}, bare reader ${at(bare, 50)}/${at(bare, 99)}; ` +
        `client-added (servebench − reader) ${f2(percentile(ours, 50) - percentile(bare, 50))}/${f2(percentile(ours, 99) - percentile(bare, 99))} (goal ≤ 5 ms) ` +
        `(${ours.length}/${bare.length} matched; mock CPU: servebench run ${mock(oursRun)}, reader run ${mock(bareRun)})`,
    );
    const handed = handedMs.sort((a, b) => a - b);
    const sendName =
      `send (scheduled → request written; of which scheduled → handed to the transport ${at(handed, 50)}/${at(handed, 99)}; ` +
      `the scheduled times span ${f2(scheduledSpanMs)})`;
    console.log(`  servebench: ${splitLine(oursRun.split, sendName, oursRun.offsets)}`);
    console.log(`  bare reader: ${splitLine(bareRun.split, "connect+write (start → request written)", bareRun.offsets)}`);
    const clientP50 = (split: readonly TtftSplit[]): number =>
      percentile(
        split.map((s) => s.clientMs).sort((a, b) => a - b),
        50,
      );
    perRun.push({ ours: percentile(ours, 50), bare: percentile(bare, 50), oursClient: clientP50(oursRun.split), bareClient: clientP50(bareRun.split) });
  }
  const median = (pick: (r: (typeof perRun)[number]) => number): number =>
    percentile(
      perRun.map(pick).sort((a, b) => a - b),
      50,
    );
  const [oursClient, bareClient] = [median((r) => r.oursClient), median((r) => r.bareClient)];
  console.log(
    `over ${perRun.length} runs (median of each run's p50): client-side TTFT (send + receive) servebench ${f2(oursClient)}, bare reader ${f2(bareClient)}; ` +
      `client-added ${f2(oursClient - bareClient)} ms (goal ≤ 5 ms). TTFT less the mock's own: servebench ${f2(median((r) => r.ours))}, ` +
      `reader ${f2(median((r) => r.bare))} (with the mock's accept queue, which spanned ${f2(Math.min(...perRun.map((r) => Math.min(r.ours, r.bare))))}–` +
      `${f2(Math.max(...perRun.map((r) => Math.max(r.ours, r.bare))))} ms p50 across these runs)`,
  );
}

/** One side's TTFT split, p50/p99 of each part over its requests (ms). */
function splitLine(split: readonly TtftSplit[], sendName: string, offsets: readonly ClockOffset[]): string {
  const p = (pick: (s: TtftSplit) => number): string => {
    const xs = split.map(pick).sort((a, b) => a - b);
    return `${f2(percentile(xs, 50))}/${f2(percentile(xs, 99))}`;
  };
  const least = (pick: (s: TtftSplit) => number): string => f2(Math.min(...split.map(pick)));
  const worst = Math.max(...split.map((s) => Math.abs(s.residualMs)));
  return (
    `client-added (client-side timestamps) ${p((s) => s.clientMs)} = ${sendName} ${p((s) => s.sendMs)} + receive (mock wrote first token → read) ${p((s) => s.receiveMs)}; ` +
    `server side: mock accept/queue (request written → handler) ${p((s) => s.queueMs)}; ` +
    `send + queue + receive = TTFT less the mock's own ${p((s) => s.ttftLessOwnMs)} per request, largest |residual| ${worst.toExponential(1)} ms; ` +
    `mock clock − client clock before/after ${offsets.map((o) => `${o.offsetMs.toFixed(3)} ± ${(o.rttMs / 2).toFixed(3)}`).join(" / ")} ms; ` +
    `least queue ${least((s) => s.queueMs)}, least receive ${least((s) => s.receiveMs)} (causality: ≥ 0 unless a timestamp was taken late) ` +
    `(${split.length} split)`
  );
}

async function memoryPerStream(): Promise<void> {
  // Long streams at 20 tokens/s each: all MEM_STREAMS are in flight when memory is read, after a GC,
  // so the figure is what a stream holds (socket, parser, record so far), not garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  const perTokenMs = 50;
  const holdMs = 8000;
  await withMock({ perTokenMs, core: 1 }, async (url) => {
    gc?.();
    const before = process.memoryUsage();
    const controller = new AbortController();
    let at: NodeJS.MemoryUsage | undefined;
    const timer = setTimeout(() => {
      gc?.();
      at = process.memoryUsage();
      controller.abort();
    }, holdMs);
    await driveServebench(url, MEM_STREAMS, 1_000_000, { signal: controller.signal });
    clearTimeout(timer);
    if (at === undefined) return;
    const kb = (bytes: number): string => (bytes / MEM_STREAMS / 1024).toFixed(1);
    console.log(
      `\n## 3. memory per in-flight stream, ${MEM_STREAMS} streams (goal ≤ 20 KB), ~${Math.round(holdMs / perTokenMs)} tokens each, ` +
        `${gc === undefined ? "no GC (run node with --expose-gc)" : "after GC"}: heap ${kb(at.heapUsed - before.heapUsed)} KiB, ` +
        `heap+external ${kb(at.heapUsed + at.external - before.heapUsed - before.external)} KiB, RSS ${kb(at.rss - before.rss)} KiB`,
    );
  });
}

interface CliRun {
  tokensPerS: number;
  /** The CLI's own line: each worker's CPU / wall, and the coordinator's. */
  busy: string;
  /** Cores used over the run (CPU time / wall time): the whole CLI process, and the mock. */
  clientCores: number;
  mockCores: number;
}

function runCli(url: string, workers: string, mockCpuMs: () => number): CliRun {
  const out = mkdtempSync(join(tmpdir(), "sb-workers-"));
  const args = [CLI, "run", "--url", url, "--endpoint", "completions", "--model", "mock-model", "--prompt", "Hello there"];
  args.push("--output-tokens", "2048", "--concurrency", String(WORKERS_CONCURRENCY), "--requests", "1000000");
  args.push("--duration", `${DURATION_MS / 1000}s`, "--no-metrics", "--quiet", "--out", out, "--workers", workers);
  const client0 = childrenCpuMs();
  const mock0 = mockCpuMs();
  const t0 = performance.now();
  const child = spawnSync(process.execPath, args, { encoding: "utf8" });
  const wallMs = performance.now() - t0;
  const mockCores = (mockCpuMs() - mock0) / wallMs;
  const clientCores = (childrenCpuMs() - client0) / wallMs;
  if (child.status !== 0) throw new Error(`servebench run --workers ${workers} exited ${child.status}: ${child.stderr}`);
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { levels: Array<{ output_tokens_per_s: number }> };
  const busy = /busy \(CPU \/ wall\) .*/.exec(child.stderr + child.stdout)?.[0] ?? "";
  return { tokensPerS: summary.levels[0]?.output_tokens_per_s ?? NaN, busy, clientCores, mockCores };
}

async function workersScaling(): Promise<void> {
  // Many tokens per write: the mock (one process, one core at most) spends far less per token
  // than the client, so the client, not the server, is what runs out. Worker CPU/wall is printed
  // by the CLI: a worker far below 1 means something else (the mock, the machine) was the limit.
  // 128 tokens every 20 ms per stream: the mock pays one write per 128 tokens, the client parses all 128.
  const tokensPerWrite = 128;
  const perTokenMs = 20;
  const mock = { perTokenMs, tokensPerWrite };
  const ideal = (WORKERS_CONCURRENCY * tokensPerWrite * 1000) / perTokenMs;
  const one = await withMock(mock, (url, _trace, mockCpuMs) => Promise.resolve(runCli(url, "1", mockCpuMs)));
  const auto = await withMock(mock, (url, _trace, mockCpuMs) => Promise.resolve(runCli(url, "auto", mockCpuMs)));
  // What the machine allows: every token costs the client k and the mock m of CPU (their cores
  // at the same rate, one worker). If one worker fills a core (rate 1/k), all cores shared by
  // client and mock give at most cores / (k + m): cores / (1 + m/k) times one worker, before
  // anything else on the machine takes its share.
  const cores = cpus().length;
  const bound = cores / (1 + one.mockCores / one.clientCores);
  const use = (r: CliRun): string => `client ${f2(r.clientCores)} + mock ${f2(r.mockCores)} cores`;
  console.log(
    `\n## 4. run --workers auto vs 1 (${WORKERS_CONCURRENCY} streams, mock offers ${ideal.toFixed(0)} tok/s, ${tokensPerWrite} tokens per write every ${perTokenMs} ms, mock unpinned): ` +
      `1 worker ${one.tokensPerS.toFixed(0)} tok/s (${use(one)}), auto ${auto.tokensPerS.toFixed(0)} tok/s (${use(auto)}; ${auto.busy}): ` +
      `${(auto.tokensPerS / one.tokensPerS).toFixed(2)}× (goal ≥ 1.8×); the most ${cores} cores allow with this mock/client CPU per token, if one worker filled a core: ${bound.toFixed(2)}× ` +
      `(load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")})`,
  );
}

async function main(): Promise<void> {
  const pinned = pinSelf(0);
  console.log(
    `# client capacity (client pinned to core 0: ${pinned}; load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")})`,
  );
  if (STREAMS > 0) await capacity();
  if (TTFT_STREAMS > 0) await startTogether();
  if (MEM_STREAMS > 0) await memoryPerStream();
  // The workers need both cores: unpin before spawning the CLI (it inherits the mask, and
  // --workers auto counts the cores it may use). cpus() counts all of them, pinned or not.
  if (WORKERS_CONCURRENCY > 0 && !process.env.BENCH_URL) {
    spawnSync("taskset", ["-pc", `0-${cpus().length - 1}`, String(process.pid)]);
    await workersScaling();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
