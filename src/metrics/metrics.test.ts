import { describe, expect, it } from "vitest";
import type { RequestRecord } from "../client/record.js";
import { deriveRequestMetrics } from "./derive.js";
import { aggregateLevel, meetsSlo } from "./level.js";
import { percentileSorted, summarize } from "./stats.js";
import { checkStrict } from "./strict.js";

/** aggregateLevel's options for a plain closed-loop level of one stream, p50 only. */
const ONE_STREAM_LEVEL: Parameters<typeof aggregateLevel>[1] = {
  level: 0,
  load: { kind: "concurrency", concurrency: 1 },
  percentiles: [50],
  slo: [],
  strict: false,
  endpoint: "completions",
  interrupted: false,
};

function record(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: "0-0",
    level: 0,
    index: 0,
    warmup: false,
    scheduledMs: 100,
    sentMs: 102,
    firstTokenMs: 150,
    firstContentMs: 150,
    endMs: 550,
    tokenChunkMs: [150, 250, 350, 450, 550],
    outcome: "ok",
    usage: { promptTokens: 1000, completionTokens: 5 },
    targetInputTokens: 1000,
    targetOutputTokens: 5,
    outputChars: 20,
    ...over,
  };
}

describe("per-request metrics", () => {
  it("measures TTFT and E2E from the scheduled time, TPOT excluding the first token", () => {
    const m = deriveRequestMetrics(record());
    expect(m.ttftMs).toBe(50);
    expect(m.e2eMs).toBe(450);
    expect(m.tpotMs).toBe(100); // (450 - 50) / (5 - 1)
    expect(m.decodeTokensPerS).toBe(10);
    expect(m.prefillTokensPerS).toBe(20_000); // 1000 tokens / 0.05 s
    expect(m.itlMs).toEqual([100, 100, 100, 100]);
    expect(m.sendDelayMs).toBe(2);
  });

  it("counts tokens from usage, not chunks, when a chunk carries several tokens", () => {
    const m = deriveRequestMetrics(record({ tokenChunkMs: [150, 550], usage: { promptTokens: 1000, completionTokens: 9 } }));
    expect(m.tpotMs).toBe(50); // 400 ms over 8 tokens after the first
    expect(m.itlMs).toEqual([400]);
  });

  it("falls back to the client count without usage and has no TPOT for one token", () => {
    const noUsage = record({ clientOutputTokens: 5 });
    delete noUsage.usage;
    expect(deriveRequestMetrics(noUsage).outputTokens).toBe(5);
    expect(deriveRequestMetrics(noUsage).promptTokens).toBe(1000);
    expect(deriveRequestMetrics(record({ tokenChunkMs: [150], usage: { completionTokens: 1 } })).tpotMs).toBeUndefined();
  });
});

describe("distributions", () => {
  it("interpolates percentiles like numpy", () => {
    const xs = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentileSorted(xs, 50)).toBe(5.5);
    expect(percentileSorted(xs, 90)).toBeCloseTo(9.1, 10);
    expect(percentileSorted(xs, 99)).toBeCloseTo(9.91, 10);
    expect(percentileSorted(xs, 0)).toBe(1);
    expect(percentileSorted(xs, 100)).toBe(10);
  });

  it("summarises mean, population std, min, max", () => {
    const d = summarize([2, 4, 4, 4, 5, 5, 7, 9], [50, 99])!;
    expect(d.mean).toBe(5);
    expect(d.std).toBe(2);
    expect(d.min).toBe(2);
    expect(d.max).toBe(9);
    expect(d.median).toBe(4.5);
    expect(summarize([], [50])).toBeUndefined();
  });
});

describe("level aggregation", () => {
  const options = {
    level: 0,
    load: { kind: "concurrency" as const, concurrency: 2 },
    percentiles: [50, 99],
    slo: [],
    strict: false,
    endpoint: "completions" as const,
    interrupted: false,
  };

  it("computes throughput over first scheduled send to last completion, excluding warmups and errors", () => {
    const records = [
      record({ id: "0-w0", warmup: true, scheduledMs: 0, endMs: 50 }),
      record({ id: "0-0" }),
      record({ id: "0-1", scheduledMs: 100, firstTokenMs: 200, endMs: 1100, tokenChunkMs: [200, 1100] }),
      record({ id: "0-2", outcome: "error", error: { code: "http_500", message: "boom" }, endMs: 300 }),
    ];
    const s = aggregateLevel(records, options);
    expect(s.requests).toEqual({ sent: 3, completed: 2, errored: 1, aborted: 0, warmup: 1 });
    expect(s.errors_by_code).toEqual({ http_500: 1 });
    expect(s.duration_s).toBe(1);
    expect(s.request_per_s).toBe(2);
    expect(s.output_tokens_per_s).toBe(10);
    expect(s.input_tokens_per_s).toBe(2000);
    expect(s.total_tokens_per_s).toBe(2010);
    expect(s.ttft_ms?.mean).toBe(75);
    expect(s.ttft_ms?.p50).toBe(75);
    expect(s.e2e_ms?.max).toBe(1000);
  });

  it("aggregates a level far larger than the call-stack limit", () => {
    const many = Array.from({ length: 300_000 }, (_, i) => record({ id: `0-${i}`, scheduledMs: 100 + i, endMs: 550 + i }));
    const s = aggregateLevel(many, options);
    expect(s.requests.completed).toBe(300_000);
    expect(s.duration_s).toBeCloseTo((550 + 299_999 - 100) / 1000, 9);
  });

  it("computes goodput under an SLO", () => {
    const slow = record({ id: "0-1", firstTokenMs: 700, tokenChunkMs: [700, 800], endMs: 800 });
    const s = aggregateLevel([record(), slow], { ...options, slo: [{ metric: "ttft_ms", op: "<=", value: 500 }] });
    expect(s.goodput).toEqual({ slo: "ttft_ms<=500", good: 1, fraction: 0.5, request_per_s: 1 / 0.7 });
    expect(meetsSlo([{ metric: "tpot_ms", op: "<", value: 100 }], deriveRequestMetrics(record()))).toBe(false);
  });
});

describe("strict mode", () => {
  it("flags prompt and completion mismatches and missing usage", () => {
    const noUsage = record({ id: "c" });
    delete noUsage.usage;
    const report = checkStrict([record({ id: "a" }), record({ id: "b", usage: { promptTokens: 999, completionTokens: 4 } }), noUsage], "completions");
    expect(report.checked).toBe(3);
    expect(report.mismatched).toBe(2);
    expect(report.input_mismatches).toBe(2);
    expect(report.output_mismatches).toBe(2);
    expect(report.examples[0]).toEqual({ id: "b", field: "prompt_tokens", expected: 1000, actual: 999 });
    expect(report.examples).toContainEqual({ id: "c", field: "completion_tokens", expected: 5, actual: null });
  });

  it("checks only completions on chat and says so", () => {
    const report = checkStrict([record({ usage: { promptTokens: 1013, completionTokens: 5 } })], "chat");
    expect(report.mismatched).toBe(0);
    expect(report.note).toMatch(/only completion tokens/);
  });

  it("checks chat prompt tokens when the targets are template-exact", () => {
    const report = checkStrict([record({ usage: { promptTokens: 1013, completionTokens: 5 } }), record({ id: "ok" })], "chat", true);
    expect(report.note).toBeUndefined();
    expect(report.input_mismatches).toBe(1);
    expect(report.examples[0]).toEqual({ id: "0-0", field: "prompt_tokens", expected: 1000, actual: 1013 });
  });
});

describe("impossible usage", () => {
  it("a completion_tokens below the streamed text chunks is replaced by the chunk count", () => {
    const r = record({ tokenChunkMs: [150, 250, 350, 450, 550], usage: { promptTokens: 16, completionTokens: 2 } });
    expect(deriveRequestMetrics(r).outputTokens).toBe(5);
    expect(deriveRequestMetrics({ ...r, usage: { promptTokens: 16, completionTokens: 7 } }).outputTokens).toBe(7);
  });

  it("an absurd completion_tokens (a counter bug, or negative) is replaced by the chunk count, an impossible prompt_tokens by the client's", () => {
    const r = record({ tokenChunkMs: [150, 250, 350, 450, 550], usage: { promptTokens: 1000, completionTokens: 1e12 } });
    expect(deriveRequestMetrics(r).outputTokens).toBe(5);
    expect(deriveRequestMetrics({ ...r, usage: { promptTokens: 1000, completionTokens: -3 } }).outputTokens).toBe(5);
    expect(deriveRequestMetrics({ ...r, usage: { promptTokens: -5, completionTokens: 5 } }).promptTokens).toBe(1000);
    expect(deriveRequestMetrics({ ...r, usage: { promptTokens: 1e12, completionTokens: 5 } }).promptTokens).toBe(1000);
    expect(deriveRequestMetrics({ ...r, usage: { promptTokens: 1013, completionTokens: 5 } }).promptTokens).toBe(1013);
    const s = aggregateLevel([r, record({ id: "0-1", usage: { promptTokens: -5, completionTokens: -3 } })], ONE_STREAM_LEVEL);
    expect(s.output_tokens_total).toBe(10);
    expect(s.input_tokens_total).toBe(2000);
    expect(s.prefill_tokens_per_s?.min).toBeGreaterThan(0);
  });

  it("the level counts the marked requests and warns", () => {
    const lying = record({
      id: "0-1",
      usage: { promptTokens: 16, completionTokens: 1 },
      usageImpossible: "usage.completion_tokens 1 is below the 5 text chunks streamed",
    });
    const s = aggregateLevel([record(), lying], ONE_STREAM_LEVEL);
    expect(s.usage_impossible).toMatchObject({ requests: 1, output_tokens_from: "streamed_chunks" });
    expect(s.warnings.join("\n")).toMatch(/the server's usage is wrong on 1 of 2 requests/);
  });

  it("error causes: most frequent first, the first message cut to one line", () => {
    const fail = (id: string, code: string, message: string): RequestRecord => record({ id, outcome: "error", error: { code, message } });
    const s = aggregateLevel(
      [fail("a", "http_500", "boom\n  at x"), fail("b", "connection", "ECONNREFUSED"), fail("c", "connection", "ECONNRESET")],
      ONE_STREAM_LEVEL,
    );
    expect(s.error_causes).toEqual([
      { code: "connection", count: 2, message: "ECONNREFUSED" },
      { code: "http_500", count: 1, message: "boom at x" },
    ]);
  });
});
