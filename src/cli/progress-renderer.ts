// Owns how progress looks: a live line on a TTY; piped (CI logs), a plain line per level and,
// during a long level, a progress line every ~10 s so a log never sits silent.

import type { ProgressEvent } from "../run/progress.js";
import { fixed, loadLabel } from "../report/format.js";

export interface RendererOptions {
  /** Piped output: a progress line this often during a level (default 10 s). */
  heartbeatMs?: number;
}

export function createProgressRenderer(
  stream: Pick<NodeJS.WriteStream, "write"> & { isTTY?: boolean },
  quiet: boolean,
  options: RendererOptions = {},
): (event: ProgressEvent) => void {
  const live = stream.isTTY === true && !quiet;
  let levelStartMs = 0;
  let label = "";
  let lastDrawMs = 0;
  let counts = { done: 0, errors: 0, requests: 0 };
  let heartbeat: NodeJS.Timeout | undefined;
  const stopHeartbeat = (): void => {
    if (heartbeat !== undefined) clearInterval(heartbeat);
    heartbeat = undefined;
  };
  const progressText = (): string => {
    const total = Number.isFinite(counts.requests) ? `/${counts.requests}` : "";
    return `${label}: ${counts.done}${total} done, ${counts.errors} errors, ${((performance.now() - levelStartMs) / 1000).toFixed(1)} s`;
  };
  return (event) => {
    if (quiet) return;
    switch (event.kind) {
      case "info":
        stream.write(`${live ? "\r\x1b[K" : ""}${event.message}\n`);
        return;
      case "level-start":
        levelStartMs = performance.now();
        label = `level ${event.level} (${event.label})`;
        counts = { done: 0, errors: 0, requests: event.requests };
        if (live) stream.write(`\r\x1b[K${label}: starting${event.warmup > 0 ? `, ${event.warmup} warmup` : ""}`);
        else {
          stopHeartbeat();
          heartbeat = setInterval(() => stream.write(`${progressText()}\n`), options.heartbeatMs ?? 10_000);
          heartbeat.unref();
        }
        return;
      case "request-done": {
        counts = { done: event.done, errors: event.errors, requests: event.requests };
        if (!live) return;
        const now = performance.now();
        if (now - lastDrawMs < 100 && event.done !== event.requests) return;
        lastDrawMs = now;
        stream.write(`\r\x1b[K${progressText()}`);
        return;
      }
      case "level-end": {
        stopHeartbeat();
        const s = event.summary;
        const line =
          `level ${s.level} (${loadLabel(s.load)}): ${s.requests.completed}/${s.requests.sent} ok in ${fixed(s.duration_s, 1)} s, ` +
          `${fixed(s.request_per_s, 2)} req/s, ` +
          // An embeddings level has no token timing: its figures are input tokens/s and E2E.
          (s.ttft_ms === undefined && s.e2e_ms !== undefined
            ? `${fixed(s.input_tokens_per_s, 1)} in tok/s, E2E p50 ${fixed(s.e2e_ms.median, 1)} ms`
            : s.requests.completed === 0
              ? "no successful request to time" // not "TTFT p50  ms": there is nothing to show
              : `${fixed(s.output_tokens_per_s, 1)} out tok/s, TTFT p50 ${fixed(s.ttft_ms?.median, 1)} ms, TPOT p50 ${fixed(s.tpot_ms?.median, 2)} ms`) +
          (s.requests.errored > 0 ? `, ${s.requests.errored} errors` : "") +
          (s.cancelled !== undefined && s.cancelled.requests > 0 ? `, ${s.cancelled.requests} cancelled` : "");
        stream.write(`${live ? "\r\x1b[K" : ""}${line}\n`);
        return;
      }
    }
  };
}
