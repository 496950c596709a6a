// The arithmetic of level starts across shards: the fixed schedule of --duration levels and the
// barrier's verdict from arrival times, exactly.

import { describe, expect, it } from "vitest";
import { barrierVerdict, scheduledLevelStartEpochMs } from "./level-schedule.js";

describe("scheduledLevelStartEpochMs", () => {
  it("puts level k at start + k × (duration + gap)", () => {
    expect(scheduledLevelStartEpochMs(1_000_000, 0, 60_000, 10_000)).toBe(1_000_000);
    expect(scheduledLevelStartEpochMs(1_000_000, 1, 60_000, 10_000)).toBe(1_070_000);
    expect(scheduledLevelStartEpochMs(1_000_000, 3, 60_000, 10_000)).toBe(1_210_000);
    expect(scheduledLevelStartEpochMs(5, 2, 1000, 0)).toBe(2005);
  });
});

describe("barrierVerdict", () => {
  const base = { timeoutMs: 10_000, marginMs: 1000 };

  it("starts at the last arrival plus the margin once everyone expected is there", () => {
    const v = barrierVerdict({
      ...base,
      arrivals: [
        { shard: 0, atEpochMs: 500 },
        { shard: 1, atEpochMs: 2500 },
      ],
      expected: [0, 1],
      nowEpochMs: 2600,
    });
    expect(v).toEqual({ kind: "start", atEpochMs: 3500, timedOut: false, missing: [] });
  });

  it("the instant depends on the arrivals, not on when they are seen", () => {
    const arrivals = [
      { shard: 1, atEpochMs: 2500 },
      { shard: 0, atEpochMs: 500 },
    ];
    const early = barrierVerdict({ ...base, arrivals, expected: [0, 1], nowEpochMs: 2501 });
    const late = barrierVerdict({ ...base, arrivals, expected: [0, 1], nowEpochMs: 9000 });
    expect(early).toEqual(late);
  });

  it("waits until the first arrival plus the timeout", () => {
    const v = barrierVerdict({ ...base, arrivals: [{ shard: 0, atEpochMs: 500 }], expected: [0, 1, 2], nowEpochMs: 600 });
    expect(v).toEqual({ kind: "wait", deadlineEpochMs: 10_500 });
  });

  it("gives up at the deadline and names whom it gave up on", () => {
    const v = barrierVerdict({
      ...base,
      arrivals: [
        { shard: 0, atEpochMs: 500 },
        { shard: 2, atEpochMs: 700 },
      ],
      expected: [0, 1, 2],
      nowEpochMs: 10_500,
    });
    expect(v).toEqual({ kind: "start", atEpochMs: 11_500, timedOut: true, missing: [1] });
  });

  it("does not wait for shards that are not expected, but counts their arrivals", () => {
    const v = barrierVerdict({
      ...base,
      arrivals: [
        { shard: 0, atEpochMs: 500 },
        { shard: 1, atEpochMs: 800 },
      ],
      expected: [0],
      nowEpochMs: 900,
    });
    expect(v).toEqual({ kind: "start", atEpochMs: 1800, timedOut: false, missing: [] });
  });

  it("a waiter with nobody arrived waits until it gives up", () => {
    expect(barrierVerdict({ ...base, arrivals: [], expected: [0, 1], nowEpochMs: 100, giveUpAtEpochMs: 5000 })).toEqual({
      kind: "wait",
      deadlineEpochMs: 5000,
    });
    expect(barrierVerdict({ ...base, arrivals: [], expected: [0, 1], nowEpochMs: 5000, giveUpAtEpochMs: 5000 })).toEqual({
      kind: "start",
      atEpochMs: 6000,
      timedOut: true,
      missing: [0, 1],
    });
  });
});
