// Profiling driver for the client's start path: ROUNDS times, TTFT_STREAMS (256) streams start
// together on fresh connections (as in bench:client section 2), one request of 16 tokens each,
// servebench then the bare reader, each against a fresh mock whose trace splits TTFT in three:
// send (scheduled → the mock's handler), the mock's own (handler → first token written), and
// receive (written → the client's read of it). Prints p50s and the main thread's CPU per request.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist-bench/bench/client-start-profile.js
// Env: TTFT_STREAMS (256), OUTPUT_TOKENS (16), ROUNDS (5), WARMUP_ROUNDS (2), PER_TOKEN_MS (5), BARE (0: servebench only).

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { threadCpuMs } from "../src/scale/thread-cpu.js";
import { bareStartTogether } from "./lib/bare-reader.js";
import { driveServebench } from "./lib/drive.js";
import { startMockProcess } from "./lib/mock-process.js";
import { pinSelf } from "./lib/sim-process.js";
import { readTrace } from "./lib/trace.js";

const STREAMS = Number(process.env.TTFT_STREAMS ?? 256);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const WARMUP_ROUNDS = Number(process.env.WARMUP_ROUNDS ?? 2);
const BARE = process.env.BARE !== "0";
/** Tokens per request (bench:client uses 16: the first streams read tokens while later ones still start). */
const OUTPUT_TOKENS = Number(process.env.OUTPUT_TOKENS ?? 16);

interface Start {
  responseId: string | undefined;
  scheduledMs: number;
  firstTokenMs: number | undefined;
}

async function round(run: (url: string) => Promise<Start[]>): Promise<string> {
  const trace = join(mkdtempSync(join(tmpdir(), "sb-start-")), "trace.jsonl");
  const mock = await startMockProcess({ perTokenMs: Number(process.env.PER_TOKEN_MS ?? 5), core: 1, trace });
  const cpu0 = threadCpuMs();
  const mock0 = mock.cpuMs();
  const t0 = performance.now();
  let starts: Start[];
  let mockMs: number;
  let wallMs: number;
  try {
    starts = await run(mock.url);
    mockMs = mock.cpuMs() - mock0;
    wallMs = performance.now() - t0;
  } finally {
    await mock.stop();
  }
  const cpuUs = ((threadCpuMs().cpuMs - cpu0.cpuMs) * 1000) / STREAMS;
  const truth = readTrace(trace);
  const send: number[] = [];
  const own: number[] = [];
  const receive: number[] = [];
  const ttft: number[] = [];
  for (const s of starts) {
    const t = s.responseId === undefined ? undefined : truth.get(s.responseId);
    const emit0 = t?.emitMs[0];
    if (t === undefined || emit0 === undefined || s.firstTokenMs === undefined) continue;
    send.push(t.arrivalMs - s.scheduledMs);
    own.push(emit0 - t.arrivalMs);
    receive.push(s.firstTokenMs - emit0);
    ttft.push(s.firstTokenMs - s.scheduledMs - (emit0 - t.arrivalMs));
  }
  const p = (xs: number[], q: number): string => (xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN).toFixed(1);
  return (
    `${ttft.length}/${STREAMS} matched, CPU ${cpuUs.toFixed(0)} µs/request; TTFT less the mock's p50/p99 ${p(ttft, 0.5)}/${p(ttft, 0.99)} ms = ` +
    `send ${p(send, 0.5)} + receive ${p(receive, 0.5)} (p50s; mock's own ${p(own, 0.5)}); mock CPU ${mockMs.toFixed(0)} ms in ${wallMs.toFixed(0)} ms`
  );
}

async function main(): Promise<void> {
  pinSelf(0);
  for (let r = 1 - WARMUP_ROUNDS; r <= ROUNDS; r++) {
    const ours = await round(async (url) => {
      const d = await driveServebench(url, STREAMS, OUTPUT_TOKENS, { requests: STREAMS });
      return d.records.map((rec) => ({
        responseId: rec.responseId,
        scheduledMs: rec.scheduledMs + d.originMs,
        firstTokenMs: rec.firstTokenMs === undefined ? undefined : rec.firstTokenMs + d.originMs,
      }));
    });
    if (r > 0) console.log(`round ${r} servebench:  ${ours}`);
    if (!BARE) continue;
    const bare = await round(async (url) =>
      (await bareStartTogether(url, STREAMS, OUTPUT_TOKENS)).map((b) => ({ responseId: b.responseId, scheduledMs: b.startMs, firstTokenMs: b.firstTokenMs })),
    );
    if (r > 0) console.log(`round ${r} bare reader: ${bare}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
