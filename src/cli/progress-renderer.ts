// Owns how progress looks: a live line on a TTY, one plain line per level otherwise.

import type { ProgressEvent } from "../bench/progress.js";
import { fixed, loadLabel } from "../report/format.js";

export function createProgressRenderer(stream: NodeJS.WriteStream, quiet: boolean): (event: ProgressEvent) => void {
  const live = stream.isTTY === true && !quiet;
  let levelStartMs = 0;
  let label = "";
  let lastDrawMs = 0;
  return (event) => {
    if (quiet) return;
    switch (event.kind) {
      case "info":
        stream.write(`${live ? "\r\x1b[K" : ""}${event.message}\n`);
        return;
      case "level-start":
        levelStartMs = performance.now();
        label = `level ${event.level} (${event.label})`;
        if (live) stream.write(`\r\x1b[K${label}: starting${event.warmup > 0 ? `, ${event.warmup} warmup` : ""}`);
        return;
      case "request-done": {
        if (!live) return;
        const now = performance.now();
        if (now - lastDrawMs < 100 && event.done !== event.requests) return;
        lastDrawMs = now;
        const total = Number.isFinite(event.requests) ? `/${event.requests}` : "";
        const elapsedS = (now - levelStartMs) / 1000;
        stream.write(`\r\x1b[K${label}: ${event.done}${total} done, ${event.errors} errors, ${elapsedS.toFixed(1)} s`);
        return;
      }
      case "level-end": {
        const s = event.summary;
        const line =
          `level ${s.level} (${loadLabel(s.load)}): ${s.requests.completed}/${s.requests.sent} ok in ${fixed(s.duration_s, 1)} s, ` +
          `${fixed(s.request_per_s, 2)} req/s, ${fixed(s.output_tokens_per_s, 1)} out tok/s, ` +
          `TTFT p50 ${fixed(s.ttft_ms?.median, 1)} ms, TPOT p50 ${fixed(s.tpot_ms?.median, 2)} ms` +
          (s.requests.errored > 0 ? `, ${s.requests.errored} errors` : "");
        stream.write(`${live ? "\r\x1b[K" : ""}${line}\n`);
        return;
      }
    }
  };
}
