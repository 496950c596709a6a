import { describe, expect, it } from "vitest";
import { createRng } from "../workload/random.js";
import { sampleGamma } from "./arrivals.js";
import { runLevel, type Job, type LoadLevel } from "./runner.js";
import { VirtualClock } from "./virtual-clock.js";

/** Runs a level on a virtual clock where every request takes `serviceMs`. */
async function simulate(level: LoadLevel, serviceMs: number, abortAfterMs?: number) {
  const clock = new VirtualClock(1000);
  const controller = new AbortController();
  const sends: Array<Job & { sentAtMs: number; endAtMs: number }> = [];
  let inFlight = 0;
  let peak = 0;
  if (abortAfterMs !== undefined) {
    void clock.sleepUntil(1000 + abortAfterMs).then(() => controller.abort());
  }
  const result = await runLevel(level, {
    clock,
    signal: controller.signal,
    dispatch: async (job, signal) => {
      const sentAtMs = clock.nowMs();
      inFlight++;
      peak = Math.max(peak, inFlight);
      await clock.sleepUntil(sentAtMs + serviceMs, signal);
      inFlight--;
      sends.push({ ...job, sentAtMs, endAtMs: clock.nowMs() });
    },
  });
  return { result, sends: sends.sort((a, b) => a.index - b.index), peak };
}

describe("closed loop", () => {
  it("keeps exactly `concurrency` requests in flight and schedules each when a slot frees", async () => {
    const { result, sends, peak } = await simulate({ kind: "concurrency", concurrency: 4, requests: 10 }, 100);
    expect(result.dispatched).toBe(10);
    expect(peak).toBe(4);
    expect(sends.map((s) => s.scheduledAtMs)).toEqual([1000, 1000, 1000, 1000, 1100, 1100, 1100, 1100, 1200, 1200]);
    expect(sends.every((s) => s.sentAtMs === s.scheduledAtMs)).toBe(true);
  });

  it("never opens more slots than requests", async () => {
    const { peak, result } = await simulate({ kind: "concurrency", concurrency: 50, requests: 3 }, 10);
    expect(peak).toBe(3);
    expect(result.dispatched).toBe(3);
  });

  it("stops issuing at the duration and drains in-flight requests", async () => {
    const { result, sends } = await simulate({ kind: "concurrency", concurrency: 2, requests: 1000, durationMs: 250 }, 100);
    // Slots start at 0, 100, 200 (3 rounds × 2) and the round at 300 is past the deadline.
    expect(result.dispatched).toBe(6);
    expect(Math.max(...sends.map((s) => s.endAtMs))).toBe(1300);
  });

  it("stops on abort and reports the level as interrupted", async () => {
    const { result } = await simulate({ kind: "concurrency", concurrency: 1, requests: 100 }, 100, 350);
    expect(result.interrupted).toBe(true);
    expect(result.dispatched).toBe(4);
  });
});

describe("open loop", () => {
  const rate = (over: Partial<Extract<LoadLevel, { kind: "rate" }>>): LoadLevel => ({
    kind: "rate",
    ratePerSec: 10,
    arrival: "constant",
    burstiness: 1,
    requests: 5,
    random: createRng(1),
    ...over,
  });

  it("sends at the scheduled instants regardless of how long requests take", async () => {
    const { sends, peak } = await simulate(rate({}), 1000);
    expect(sends.map((s) => s.scheduledAtMs)).toEqual([1000, 1100, 1200, 1300, 1400]);
    expect(peak).toBe(5);
  });

  it("queues behind maxConcurrency but keeps the scheduled time, so the wait counts as latency", async () => {
    const { sends, peak } = await simulate(rate({ maxConcurrency: 1 }), 250);
    expect(peak).toBe(1);
    expect(sends.map((s) => s.scheduledAtMs)).toEqual([1000, 1100, 1200, 1300, 1400]);
    expect(sends.map((s) => s.sentAtMs)).toEqual([1000, 1250, 1500, 1750, 2000]);
  });

  it("poisson gaps average 1/rate and are reproducible by seed", async () => {
    const level = (seed: number) => rate({ arrival: "poisson", requests: 4000, ratePerSec: 50, random: createRng(seed) });
    const a = await simulate(level(7), 1);
    const b = await simulate(level(7), 1);
    expect(a.sends.map((s) => s.scheduledAtMs)).toEqual(b.sends.map((s) => s.scheduledAtMs));
    const span = a.sends.at(-1)!.scheduledAtMs - a.sends[0]!.scheduledAtMs;
    expect(span / 3999).toBeGreaterThan(18);
    expect(span / 3999).toBeLessThan(22);
  });

  it("stops at the duration", async () => {
    const { result } = await simulate(rate({ requests: 100, durationMs: 450 }), 10);
    expect(result.dispatched).toBe(5);
  });
});

describe("gamma sampler", () => {
  it("has mean = shape and variance = shape for several shapes", () => {
    for (const shape of [0.5, 1, 4]) {
      const random = createRng(42);
      const xs = Array.from({ length: 40_000 }, () => sampleGamma(shape, random));
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
      expect(Math.abs(mean - shape) / shape).toBeLessThan(0.03);
      expect(Math.abs(variance - shape) / shape).toBeLessThan(0.08);
    }
  });
});

describe("closed loop pacing (back-off from a refusing server)", () => {
  it("waits for `pace` before each job and schedules the job after the wait, so the wait is not latency", async () => {
    const clock = new VirtualClock(1000);
    const scheduled: number[] = [];
    const result = await runLevel(
      { kind: "concurrency", concurrency: 1, requests: 3 },
      {
        clock,
        signal: new AbortController().signal,
        pace: (signal) => clock.sleepUntil(clock.nowMs() + 50, signal),
        dispatch: async (job) => {
          scheduled.push(job.scheduledAtMs);
          await clock.sleepUntil(job.scheduledAtMs + 10);
        },
      },
    );
    expect(result.dispatched).toBe(3);
    expect(scheduled).toEqual([1050, 1110, 1170]);
  });
});
