import { describe, expect, it } from "vitest";
import { createProgressRenderer } from "./progress-renderer.js";

describe("progress renderer, piped", () => {
  it("prints a progress line every heartbeat during a level, and stops at its end", async () => {
    const lines: string[] = [];
    const render = createProgressRenderer({ write: (s: string) => lines.push(s) > 0, isTTY: false }, false, { heartbeatMs: 20 });
    render({ kind: "level-start", level: 0, label: "concurrency 4", requests: 100, warmup: 0 });
    render({ kind: "request-done", level: 0, done: 7, errors: 1, requests: 100 });
    await new Promise((r) => setTimeout(r, 90));
    const beats = lines.filter((l) => /^level 0 \(concurrency 4\): 7\/100 done, 1 errors, [\d.]+ s\n$/.test(l));
    expect(beats.length).toBeGreaterThanOrEqual(1);
    render({ kind: "request-done", level: 0, done: 100, errors: 1, requests: 100 });
    render({
      kind: "level-end",
      summary: {
        level: 0,
        load: { kind: "concurrency", concurrency: 4 },
        requests: { sent: 100, completed: 99, errored: 1, aborted: 0, warmup: 0 },
        errors_by_code: {},
        duration_s: 1,
        request_per_s: 99,
        input_tokens_per_s: 0,
        output_tokens_per_s: 0,
        total_tokens_per_s: 0,
        input_tokens_total: 0,
        output_tokens_total: 0,
        interrupted: false,
        warnings: [],
      },
    });
    const after = lines.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(lines.length).toBe(after);
  });
});
