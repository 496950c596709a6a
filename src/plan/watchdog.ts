// Owns watching a server while a cell runs: the process dying, /health failing several times in
// a row, or the cell outliving cellTimeoutMs each abort the cell with a reason. A failed request
// alone never does: that is data.

import { request } from "undici";
import type { RunningServer } from "./launchers/launcher.js";

export interface HealthOptions {
  intervalMs: number;
  failAfter: number;
}

export interface CellWatch {
  signal: AbortSignal;
  /** Why the cell was aborted, if it was. */
  reason(): string | undefined;
  stop(): void;
}

export function watchCell(server: RunningServer, health: HealthOptions | false, cellTimeoutMs: number | undefined): CellWatch {
  const controller = new AbortController();
  let reason: string | undefined;
  let stopped = false;
  const fail = (why: string): void => {
    if (stopped || reason !== undefined) return;
    reason = why;
    controller.abort(new Error(why));
  };
  void server.died.then((why) => fail(why));
  const timers: NodeJS.Timeout[] = [];
  if (cellTimeoutMs !== undefined) timers.push(setTimeout(() => fail(`cell exceeded cellTimeoutMs (${cellTimeoutMs} ms)`), cellTimeoutMs));
  if (health !== false) {
    let failures = 0;
    let inFlight = false;
    const url = `${server.baseUrl.replace(/\/v1\/?$/, "")}/health`;
    timers.push(
      setInterval(() => {
        if (inFlight || stopped) return;
        inFlight = true;
        void checkHealth(url, health.intervalMs).then((problem) => {
          inFlight = false;
          failures = problem === undefined ? 0 : failures + 1;
          if (problem !== undefined && failures >= health.failAfter) {
            fail(`server stopped answering: ${failures} consecutive /health checks failed (last: ${problem})`);
          }
        });
      }, health.intervalMs),
    );
  }
  return {
    signal: controller.signal,
    reason: () => reason,
    stop: () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
    },
  };
}

/** Undefined when the server answered /health with 2xx (or 404: it has no such route). */
async function checkHealth(url: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    return res.statusCode < 300 || res.statusCode === 404 ? undefined : `HTTP ${res.statusCode}`;
  } catch (error) {
    const e = error as { code?: string; name?: string; message?: string };
    return e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (e.code ?? e.message ?? String(error));
  }
}
