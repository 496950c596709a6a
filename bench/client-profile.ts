// Profiling driver for the client's per-token path: servebench alone against the mock (no bare
// reader, no warm-up phase in the profile's tail), so `node --cpu-prof` shows only that path.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof dist-bench/bench/client-profile.js
// Env: STREAMS (256), OUTPUT_TOKENS (512), PER_TOKEN_MS (5), DURATION_MS (10000).

import { threadCpuMs } from "../src/scale/thread-cpu.js";
import { driveServebench } from "./lib/drive.js";
import { startMockProcess } from "./lib/mock-process.js";
import { pinSelf } from "./lib/sim-process.js";

const STREAMS = Number(process.env.STREAMS ?? 256);
const OUTPUT_TOKENS = Number(process.env.OUTPUT_TOKENS ?? 512);
const DURATION_MS = Number(process.env.DURATION_MS ?? 10_000);

async function main(): Promise<void> {
  pinSelf(0);
  const mock = await startMockProcess({ perTokenMs: Number(process.env.PER_TOKEN_MS ?? 5), core: 1 });
  try {
    const main0 = threadCpuMs();
    const r = await driveServebench(mock.url, STREAMS, OUTPUT_TOKENS, { durationMs: DURATION_MS });
    // The process figure includes GC helper threads (and the profiler's, under --cpu-prof); the main thread is the hot path.
    const mainUs = (threadCpuMs().cpuMs - main0.cpuMs) * 1000;
    console.log(
      `${r.tokens} tokens, ${(r.tokens / (r.wallMs / 1000)).toFixed(0)} tok/s; CPU µs/token: process ${(r.cpuUs / r.tokens).toFixed(2)}, ` +
        `main thread ${(mainUs / r.tokens).toFixed(2)} (${main0.scope})`,
    );
  } finally {
    await mock.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
