// Bench helper: drives S closed-loop streams through servebench's real hot path
// (load runner → StreamingClient → record append) and reports CPU time and records.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monotonicNowMs, realClock } from "../../src/clock.js";
import { StreamingClient } from "../../src/client/http-client.js";
import type { RequestRecord } from "../../src/client/record.js";
import { runLevel } from "../../src/load/runner.js";
import { RunDirectory } from "../../src/report/run-dir.js";

export interface DriveResult {
  records: RequestRecord[];
  originMs: number;
  cpuUs: number;
  wallMs: number;
  tokens: number;
}

export interface DriveOptions {
  /** Stop issuing after this long (in-flight requests drain); default: no limit. */
  durationMs?: number;
  /** Requests in all; default: no limit (durationMs must then be set, or signal). */
  requests?: number;
  signal?: AbortSignal;
  /** Wraps each `client.send` call (request id `0-<index>`), e.g. RequestWrites.label. */
  label?: <T>(id: string, send: () => T) => T;
}

export async function driveServebench(baseUrl: string, streams: number, outputTokens: number, opts: DriveOptions): Promise<DriveResult> {
  const client = new StreamingClient({
    baseUrl,
    endpoint: "completions",
    model: "sim-model",
    timeoutMs: 600_000,
    maxConnections: streams,
    ignoreEos: false,
    exactOutput: true,
  });
  const dir = new RunDirectory(mkdtempSync(join(tmpdir(), "sb-bench-")));
  const spec = { index: 0, prompt: "Hello there", inputTokens: 2, targetOutputTokens: outputTokens };
  const records: RequestRecord[] = [];
  const originMs = monotonicNowMs();
  const signal = opts.signal ?? new AbortController().signal;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await runLevel(
    {
      kind: "concurrency",
      concurrency: streams,
      requests: opts.requests ?? Number.POSITIVE_INFINITY,
      ...(opts.durationMs === undefined ? {} : { durationMs: opts.durationMs }),
    },
    {
      clock: realClock,
      signal,
      dispatch: async (job, jobSignal) => {
        const id = `0-${job.index}`;
        const send = (): ReturnType<StreamingClient["send"]> =>
          client.send(spec, { id, level: 0, warmup: false, scheduledMs: job.scheduledAtMs - originMs, originMs }, jobSignal);
        const { record } = await (opts.label === undefined ? send() : opts.label(id, send));
        dir.appendRecord(record);
        records.push(record);
      },
    },
  );
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  await client.close();
  dir.close();
  const tokens = records.reduce((a, r) => a + (r.usage?.completionTokens ?? r.tokenChunkMs.length), 0);
  return { records, originMs, cpuUs: cpu.user + cpu.system, wallMs, tokens };
}
