// Load split arithmetic: parts sum to the request, indices are unique and cover the level,
// splits compose (shard then worker), and bad splits are refused.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globalIndex, parseShardFlag, splitConcurrency, splitProportional, splitRate, splitShare, wholeLevelShare, type LevelShare } from "./load-split.js";

function indicesOf(share: LevelShare, limit = 10_000): number[] {
  const n = Number.isFinite(share.requests) ? share.requests : 0;
  return Array.from({ length: Math.min(n, limit) }, (_, j) => globalIndex(share, j));
}

describe("splitConcurrency / splitRate / splitProportional", () => {
  it("splits evenly, larger parts first, summing to the total", () => {
    expect(splitConcurrency(10, 4)).toEqual([3, 3, 2, 2]);
    expect(splitConcurrency(2, 4)).toEqual([1, 1, 0, 0]);
    fc.assert(
      fc.property(fc.nat(10_000), fc.integer({ min: 1, max: 64 }), (total, n) => {
        const parts = splitConcurrency(total, n);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("splits a rate into equal parts that sum to it", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e5, noNaN: true }), fc.integer({ min: 1, max: 64 }), (rate, n) => {
        const parts = splitRate(rate, n);
        expect(parts).toHaveLength(n);
        expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(rate, 6);
      }),
    );
  });

  it("splits proportionally with exact sums", () => {
    expect(splitProportional(15, [3, 2])).toEqual([9, 6]);
    expect(splitProportional(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitProportional(5, [0, 0])).toEqual([0, 0]);
  });
});

describe("splitShare", () => {
  it("closed loop: concurrency and requests sum to the level, ids unique and contiguous", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.nat(20),
        (concurrency, shards, workers, warmup) => {
          const whole = wholeLevelShare({ load: { kind: "concurrency", concurrency }, requests: 3 * concurrency, connections: concurrency, warmup });
          const leaves = splitShare(whole, shards).flatMap((s) => splitShare(s, workers));
          const conc = leaves.reduce((a, s) => a + (s.load.kind === "concurrency" ? s.load.concurrency : 0), 0);
          expect(conc).toBe(concurrency);
          expect(leaves.reduce((a, s) => a + s.requests, 0)).toBe(3 * concurrency);
          const ids = leaves.flatMap((s) => indicesOf(s)).sort((a, b) => a - b);
          expect(ids).toEqual(Array.from({ length: 3 * concurrency }, (_, i) => i));
          const warm = leaves.flatMap((s) => Array.from({ length: s.warmupCount }, (_, j) => s.warmupFirst + j)).sort((a, b) => a - b);
          expect(warm).toEqual(Array.from({ length: warmup }, (_, i) => i));
          for (const s of leaves) if (s.load.kind === "concurrency") expect(s.requests).toBe(3 * s.load.concurrency);
        },
      ),
    );
  });

  it("open loop: rates sum to the level, constant streams interleave by phase", () => {
    const whole = wholeLevelShare({ load: { kind: "rate", rate_per_s: 8, max_concurrency: 8 }, requests: 101, connections: 8, warmup: 0 });
    const shards = splitShare(whole, 4);
    expect(shards.map((s) => (s.load.kind === "rate" ? s.load.ratePerSec : 0))).toEqual([2, 2, 2, 2]);
    expect(shards.map((s) => (s.load.kind === "rate" ? s.load.phaseMs : -1))).toEqual([0, 125, 250, 375]);
    expect(shards.map((s) => (s.load.kind === "rate" ? s.load.maxConcurrency : 0))).toEqual([2, 2, 2, 2]);
    expect(shards.map((s) => s.requests)).toEqual([26, 25, 25, 25]);
    // Composed: worker 1 of shard 2 at 1 req/s starts one shard-gap (500 ms) after shard 2.
    const w = splitShare(shards[2] as LevelShare, 2)[1] as LevelShare;
    expect(w.load).toMatchObject({ ratePerSec: 1, phaseMs: 750 });
    expect(w.path).toEqual([
      { index: 2, count: 4 },
      { index: 1, count: 2 },
    ]);
  });

  it("duration-bound levels interleave indices so ids stay unique without known counts", () => {
    const whole = wholeLevelShare({ load: { kind: "concurrency", concurrency: 3 }, requests: Infinity, connections: 3, warmup: 0 });
    const leaves = splitShare(whole, 2).flatMap((s) => splitShare(s, 2));
    const firsts = new Set<number>();
    for (const s of leaves.filter((l) => l.requests > 0)) for (let j = 0; j < 50; j++) firsts.add(globalIndex(s, j));
    expect(firsts.size).toBe(50 * leaves.filter((l) => l.requests > 0).length);
  });

  it("refuses a max-concurrency smaller than the number of shares", () => {
    const whole = wholeLevelShare({ load: { kind: "rate", rate_per_s: 8, max_concurrency: 2 }, requests: 10, connections: 2, warmup: 0 });
    expect(() => splitShare(whole, 3)).toThrow(/max-concurrency/);
  });

  it("parses --shard I/N", () => {
    expect(parseShardFlag("2/4")).toEqual({ index: 2, count: 4 });
    expect(() => parseShardFlag("4/4")).toThrow(/0 <= I < N/);
    expect(() => parseShardFlag("x")).toThrow(/--shard/);
  });
});
