// Tests for trace files: servebench, Mooncake and BurstGPT formats, detection, and errors with file:line.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTrace, parseTrace } from "./trace.js";

const FIXTURES = join(import.meta.dirname, "../../test/fixtures/workload");

describe("traces", () => {
  it("reads the three formats into offsets and lengths", () => {
    const ours = loadTrace(join(FIXTURES, "trace-servebench.jsonl"));
    expect(ours.format).toBe("servebench");
    expect(ours.entries.map((e) => [e.offsetMs, e.inputTokens, e.outputTokens])).toEqual([
      [0, 120, 8],
      [250, 64, 4],
      [1000, 300, 12],
      [1100, 32, 2],
    ]);
    const mooncake = loadTrace(join(FIXTURES, "trace-mooncake.jsonl"));
    expect(mooncake.format).toBe("mooncake");
    expect(mooncake.entries).toEqual([
      { offsetMs: 0, inputTokens: 6955, outputTokens: 52, hashIds: [46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 2353, 2354] },
      { offsetMs: 3053, inputTokens: 6472, outputTokens: 26, hashIds: [46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 2366] },
    ]);
    const burst = loadTrace(join(FIXTURES, "trace-burstgpt.csv"));
    expect(burst.format).toBe("burstgpt");
    expect(burst.skipped).toBe(1);
    expect(burst.entries).toEqual([
      { offsetMs: 0, inputTokens: 472, outputTokens: 18 },
      { offsetMs: 113_000, inputTokens: 417, outputTokens: 276 },
    ]);
  });

  it("sorts by arrival and accepts seconds", () => {
    const text = '{"timestamp_s": 2, "input_tokens": 5, "output_tokens": 1}\n{"timestamp_s": 0.5, "input_tokens": 7, "output_tokens": 2}\n';
    expect(parseTrace(text, "t.jsonl").entries).toEqual([
      { offsetMs: 0, inputTokens: 7, outputTokens: 2 },
      { offsetMs: 1500, inputTokens: 5, outputTokens: 1 },
    ]);
  });

  it("names file and line of malformed rows", () => {
    expect(() =>
      parseTrace('{"timestamp_ms": 0, "input_tokens": 5, "output_tokens": 1}\n{"timestamp_ms": 1, "input_tokens": 0, "output_tokens": 1}\n', "t.jsonl"),
    ).toThrow(/^t\.jsonl:2: "input_tokens" must be a number >= 1/);
    expect(() => parseTrace('{"timestamp": 0, "input_length": 5, "output_length": 1}\n{oops\n', "m.jsonl")).toThrow(/^m\.jsonl:2: invalid JSON/);
    expect(() => parseTrace("Timestamp,Request tokens\n1,2\n", "b.csv")).toThrow(/^b\.csv:1: BurstGPT header needs "response tokens"/);
    expect(() => parseTrace("Timestamp,Request tokens,Response tokens\n1,x,2\n", "b.csv")).toThrow(/^b\.csv:2: /);
    expect(() => parseTrace('{"foo": 1}\n', "t.jsonl")).toThrow(/pass `traceFormat`/);
    expect(() => parseTrace('{"timestamp": 0, "input_length": 5, "output_length": 1, "hash_ids": [1, -2]}\n', "m.jsonl")).toThrow(
      /^m\.jsonl:1: "hash_ids" must be an array of non-negative integers/,
    );
  });
});
