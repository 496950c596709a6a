// How much CPU the simulator needs to serve many streams on the wall clock: the built CLI's
// `simulate` runs in its own process; this process drives N streaming requests with the real client
// and reads the simulator's CPU time from /proc and its token counter from /metrics.
// Run: npm run bench:sim-capacity [-- --streams 1000 --per-token-ms 50 --window 10]

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { monotonicNowMs } from "../src/clock.js";
import { StreamingClient } from "../src/client/http-client.js";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const streams = arg("streams", 1000);
const perTokenMs = arg("per-token-ms", 50);
const windowS = arg("window", 10);
const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** utime + stime of a process, seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function generated(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("vllm:generation_tokens_total{"));
  return Number(line?.split(" ")[1] ?? 0);
}

async function main(): Promise<void> {
  const child = spawn(
    process.execPath,
    [CLI, "simulate", "--port", "0", "--print-url", "--per-token-ms", String(perTokenMs), "--ttft-ms", "30", "--batch-slowdown", "0"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim())));
  const pid = child.pid as number;
  const client = new StreamingClient({
    baseUrl: url,
    endpoint: "completions",
    model: "sim-model",
    timeoutMs: 600_000,
    maxConnections: streams,
    ignoreEos: false,
    exactOutput: true,
  });
  const outputTokens = Math.ceil(((windowS + 10) * 1000) / perTokenMs);
  const originMs = monotonicNowMs();
  const requests = Array.from({ length: streams }, (_, index) =>
    client.send(
      { index, prompt: "Tell me a long story about a fox.", inputTokens: 9, targetOutputTokens: outputTokens },
      { id: `0-${index}`, level: 0, warmup: false, scheduledMs: 0, originMs },
    ),
  );
  await new Promise((r) => setTimeout(r, 5000)); // all streams open and in steady state
  const cpu0 = cpuSeconds(pid);
  const tok0 = await generated(url);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowS * 1000));
  const cpu1 = cpuSeconds(pid);
  const tok1 = await generated(url);
  const wallS = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${streams} streams at ${perTokenMs} ms/token: ${((tok1 - tok0) / wallS).toFixed(0)} tokens/s aggregate; ` +
      `simulator CPU ${((cpu1 - cpu0) / wallS).toFixed(3)} core-seconds per second (over ${wallS.toFixed(1)} s)\n`,
  );
  child.kill("SIGTERM");
  await Promise.allSettled(requests);
  await client.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
