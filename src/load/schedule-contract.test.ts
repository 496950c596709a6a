// One contract suite run against every within-level schedule (closed loop, open loop, recorded
// trace; each with and without a ramp), on a virtual clock: exact counts, unique indices, sends
// never before their due time, duration and stop reasons honoured, abort stops issuing.
// Then the timing each schedule promises: trace offsets × time scale, ramp shapes.
import { describe, expect, it } from "vitest";
import { createRng } from "../workload/random.js";
import { rampedOffsetMs } from "./ramp.js";
import { runLevel, type Job, type LoadLevel } from "./runner.js";
import { VirtualClock } from "./virtual-clock.js";

const START = 1000;

async function simulate(level: LoadLevel, serviceMs: number, extra: { abortAfterMs?: number; stopAfter?: number } = {}) {
  const clock = new VirtualClock(START);
  const controller = new AbortController();
  const sends: Array<Job & { sentAtMs: number }> = [];
  if (extra.abortAfterMs !== undefined) void clock.sleepUntil(START + extra.abortAfterMs).then(() => controller.abort());
  const result = await runLevel(level, {
    clock,
    signal: controller.signal,
    shouldStop: () => (extra.stopAfter !== undefined && sends.length >= extra.stopAfter ? "enough" : undefined),
    dispatch: async (job, signal) => {
      sends.push({ ...job, sentAtMs: clock.nowMs() });
      await clock.sleepUntil(clock.nowMs() + serviceMs, signal);
    },
  });
  return { result, sends: sends.sort((a, b) => a.index - b.index) };
}

type Factory = (over: { requests: number; durationMs?: number; rampMs?: number }) => LoadLevel;
const schedules: Record<string, Factory> = {
  "closed loop": (o) => ({ kind: "concurrency", concurrency: 4, ...o }),
  "open loop (poisson)": (o) => ({ kind: "rate", ratePerSec: 20, arrival: "poisson", burstiness: 1, random: createRng(3), ...o }),
  "open loop (gamma, capped)": (o) => ({ kind: "rate", ratePerSec: 20, arrival: "gamma", burstiness: 0.5, maxConcurrency: 3, random: createRng(3), ...o }),
  "recorded schedule": (o) => ({ kind: "schedule", offsetsMs: Array.from({ length: 500 }, (_, i) => i * 37), ...o }),
};

for (const [name, make] of Object.entries(schedules)) {
  for (const rampMs of [undefined, 2000]) {
    describe(`schedule contract: ${name}${rampMs ? " with a ramp" : ""}`, () => {
      const level = (o: { requests: number; durationMs?: number }): LoadLevel => make(rampMs === undefined ? o : { ...o, rampMs });

      it("dispatches exactly `requests` jobs with indices 0..n-1, never before they are due", async () => {
        const { result, sends } = await simulate(level({ requests: 40 }), 120);
        expect(result).toMatchObject({ dispatched: 40, interrupted: false, startedAtMs: START });
        expect(sends.map((s) => s.index)).toEqual([...Array(40).keys()]);
        expect(sends.every((s) => s.sentAtMs >= s.scheduledAtMs && s.scheduledAtMs >= START)).toBe(true);
        const due = sends.map((s) => s.scheduledAtMs);
        expect(due).toEqual([...due].sort((a, b) => a - b));
      });

      it("stops issuing at the duration", async () => {
        const { result, sends } = await simulate(level({ requests: 10_000, durationMs: 1500 }), 50);
        expect(result.dispatched).toBeGreaterThan(0);
        expect(result.dispatched).toBeLessThan(10_000);
        expect(sends.every((s) => s.scheduledAtMs < START + 1500)).toBe(true);
      });

      it("stops issuing when shouldStop names a reason, and reports it", async () => {
        const { result } = await simulate(level({ requests: 100 }), 50, { stopAfter: 7 });
        expect(result.stoppedEarly).toBe("enough");
        expect(result.dispatched).toBe(7);
      });

      it("stops on abort and reports the level as interrupted", async () => {
        const { result } = await simulate(level({ requests: 10_000 }), 100, { abortAfterMs: 800 });
        expect(result.interrupted).toBe(true);
        expect(result.dispatched).toBeLessThan(10_000);
      });

      it("is reproducible", async () => {
        const a = await simulate(level({ requests: 30 }), 77);
        const b = await simulate(level({ requests: 30 }), 77);
        expect(a.sends.map((s) => s.scheduledAtMs)).toEqual(b.sends.map((s) => s.scheduledAtMs));
      });
    });
  }
}

describe("trace replay timing", () => {
  it("sends at start + offset × time scale, and the scheduled time stays even when a cap delays the send", async () => {
    const scale = 0.5;
    const offsets = [0, 250, 1000, 1100].map((ms) => ms * scale);
    const { sends } = await simulate({ kind: "schedule", offsetsMs: offsets, requests: 4 }, 10);
    expect(sends.map((s) => s.scheduledAtMs)).toEqual([1000, 1125, 1500, 1550]);
    expect(sends.map((s) => s.sentAtMs)).toEqual([1000, 1125, 1500, 1550]);
    const capped = await simulate({ kind: "schedule", offsetsMs: offsets, requests: 4, maxConcurrency: 1 }, 400);
    expect(capped.sends.map((s) => s.scheduledAtMs)).toEqual([1000, 1125, 1500, 1550]);
    expect(capped.sends.map((s) => s.sentAtMs)).toEqual([1000, 1400, 1800, 2200]);
  });
});

describe("ramps", () => {
  it("closed loop: slot k joins at k/N of the ramp", async () => {
    const { sends } = await simulate({ kind: "concurrency", concurrency: 4, requests: 4, rampMs: 1000 }, 5000);
    expect(sends.map((s) => s.scheduledAtMs)).toEqual([1000, 1250, 1500, 1750]);
  });

  it("open loop: constant arrivals thin out during the ramp, then run at the full rate", async () => {
    const { sends } = await simulate({ kind: "rate", ratePerSec: 10, arrival: "constant", burstiness: 1, random: createRng(1), requests: 20, rampMs: 2000 }, 1);
    const due = sends.map((s) => s.scheduledAtMs - START);
    // Full-rate offsets 0, 100, ..., mapped by t = sqrt(2·T·u) below T/2 = 1000, then u + 1000.
    expect(due.slice(0, 3).map(Math.round)).toEqual([0, 632, 894]);
    expect(due[10]).toBe(2000);
    expect(due[11]).toBe(2100);
    expect(rampedOffsetMs(250, 2000)).toBeCloseTo(1000, 9);
  });
});
