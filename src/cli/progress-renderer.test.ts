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

describe("progress renderer, level-end line", () => {
  const base = {
    level: 1,
    load: { kind: "concurrency" as const, concurrency: 4 },
    errors_by_code: {},
    duration_s: 2,
    request_per_s: 4,
    input_tokens_per_s: 2048,
    output_tokens_per_s: 0,
    total_tokens_per_s: 2048,
    input_tokens_total: 4096,
    output_tokens_total: 0,
    interrupted: false,
    warnings: [],
  };
  const lineOf = (summary: Parameters<ReturnType<typeof createProgressRenderer>>[0] & { kind: "level-end" }): string => {
    const lines: string[] = [];
    createProgressRenderer({ write: (s: string) => lines.push(s) > 0, isTTY: false }, false)(summary);
    return lines.join("");
  };
  const dist = (v: number) => ({ count: 8, mean: v, median: v, std: 0, min: v, max: v, p50: v, p90: v, p99: v });

  it("an embeddings level (no token timing) shows input tokens/s and E2E, not empty TTFT and TPOT", () => {
    const line = lineOf({
      kind: "level-end",
      summary: { ...base, requests: { sent: 8, completed: 8, errored: 0, aborted: 0, warmup: 0 }, e2e_ms: dist(173.25) },
    });
    expect(line).toBe("level 1 (c=4): 8/8 ok in 2.0 s, 4.00 req/s, 2048.0 in tok/s, E2E p50 173.3 ms\n");
  });

  it("a level where every request failed says there is nothing to time, not empty TTFT and TPOT", () => {
    const line = lineOf({
      kind: "level-end",
      summary: { ...base, input_tokens_per_s: 0, requests: { sent: 3, completed: 0, errored: 3, aborted: 0, warmup: 0 } },
    });
    expect(line).toBe("level 1 (c=4): 0/3 ok in 2.0 s, 4.00 req/s, no successful request to time, 3 errors\n");
  });

  it("a level with cancelled requests says how many", () => {
    const line = lineOf({
      kind: "level-end",
      summary: {
        ...base,
        output_tokens_per_s: 134.4,
        requests: { sent: 20, completed: 13, errored: 0, aborted: 7, warmup: 0 },
        ttft_ms: dist(349.08),
        tpot_ms: dist(16.83),
        cancelled: { requests: 7, rate: 0.2, after: "2000 ms" },
      },
    });
    expect(line).toBe("level 1 (c=4): 13/20 ok in 2.0 s, 4.00 req/s, 134.4 out tok/s, TTFT p50 349.1 ms, TPOT p50 16.83 ms, 7 cancelled\n");
  });
});
