import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "./resolve-run-config.js";

describe("upper bounds, checked before anything is allocated", () => {
  it("concurrency, rate, requests and workers", () => {
    expect(() => resolveRunConfig({ concurrency: [1, 1_000_000_000] })).toThrow(/--concurrency: at most 65536 per process/);
    expect(() => resolveRunConfig({ rate: [1e9] })).toThrow(/--rate: at most 100000 req\/s/);
    expect(() => resolveRunConfig({ requests: { kind: "count", n: 1e9 } })).toThrow(/--requests: at most 1000000 per level/);
    expect(() => resolveRunConfig({ concurrency: [65_536], requests: { kind: "multiple", factor: 100 } })).toThrow(
      /--requests: 100x of 65536 is more than 1000000/,
    );
    expect(() => resolveRunConfig({ workers: availableParallelism() + 1 })).toThrow(/--workers: at most one worker per core/);
    expect(() => resolveRunConfig({ maxEventBytes: 2 * 1024 ** 3 })).toThrow(/--max-event-size: at most 1 GiB/);
    expect(resolveRunConfig({ concurrency: [65_536], workers: availableParallelism() }).maxEventBytes).toBe(4 * 1024 * 1024);
  });
});
