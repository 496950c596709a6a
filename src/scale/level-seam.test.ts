// The seam's shard part of a level: shares of concurrency, rate and replayed schedules, with
// local job indices mapped to unique global ones; no shard leaves the level untouched.

import { describe, expect, it } from "vitest";
import type { LoadLevel } from "../load/runner.js";
import { shardPart } from "./level-seam.js";

describe("shardPart", () => {
  it("without a shard the level is unchanged", () => {
    const load: LoadLevel = { kind: "concurrency", concurrency: 8, requests: 24 };
    const part = shardPart(load, 8, 0, 0, undefined);
    expect(part.load).toBe(load);
    expect(part.toGlobal(5)).toBe(5);
  });

  it("closed loop: shard 1 of 3 owns its block of indices", () => {
    const part = shardPart({ kind: "concurrency", concurrency: 8, requests: 24, rampMs: 500 }, 8, 0, 0, { index: 1, count: 3 });
    expect(part.load).toMatchObject({ kind: "concurrency", concurrency: 3, requests: 9, rampMs: 500 });
    expect([0, 8].map(part.toGlobal)).toEqual([9, 17]);
  });

  it("open loop: each shard its rate, cap and own arrival stream", () => {
    const load: LoadLevel = { kind: "rate", ratePerSec: 30, arrival: "constant", burstiness: 1, requests: 90, maxConcurrency: 6, random: () => 0.5 };
    const parts = [0, 1, 2].map((index) => shardPart(load, 6, 2, 7, { index, count: 3 }));
    expect(parts.map((p) => p.load)).toMatchObject([{ ratePerSec: 10, requests: 30, maxConcurrency: 2 }, { ratePerSec: 10 }, { ratePerSec: 10 }]);
    expect(parts.map((p) => Math.round(p.phaseMs * 1000) / 1000)).toEqual([0, 33.333, 66.667]);
    const draws = parts.map((p) => (p.load.kind === "rate" ? p.load.random() : NaN));
    expect(new Set(draws).size).toBe(3);
  });

  it("replayed trace: shard k sends arrivals k, k+n, ... at their recorded times", () => {
    const load: LoadLevel = { kind: "schedule", offsetsMs: [0, 10, 20, 30, 40, 50, 60], requests: 7 };
    const part = shardPart(load, 4, 0, 0, { index: 1, count: 3 });
    expect(part.load).toMatchObject({ offsetsMs: [10, 40], requests: 2 });
    expect([0, 1].map(part.toGlobal)).toEqual([1, 4]);
  });
});
