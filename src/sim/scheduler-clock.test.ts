import { describe, expect, it } from "vitest";
import { manualSchedulerClock, realSchedulerClock, simNowMs } from "./scheduler-clock.js";

describe("manualSchedulerClock", () => {
  it("runs wake-ups in time order with now set to their due time", () => {
    const clock = manualSchedulerClock(100);
    const seen: [string, number][] = [];
    clock.wakeAt(130, () => seen.push(["b", clock.nowMs()]));
    clock.wakeAt(110, () => {
      seen.push(["a", clock.nowMs()]);
      clock.wakeAt(120, () => seen.push(["a2", clock.nowMs()]));
    });
    const cancel = clock.wakeAt(125, () => seen.push(["never", clock.nowMs()]));
    cancel();
    clock.advanceTo(200);
    expect(seen).toEqual([
      ["a", 110],
      ["a2", 120],
      ["b", 130],
    ]);
    expect(clock.nowMs()).toBe(200);
    expect(clock.pending()).toBe(0);
  });
});

describe("realSchedulerClock", () => {
  it("never wakes before the target and can be cancelled", async () => {
    const clock = realSchedulerClock(1);
    const earlyByMs: number[] = [];
    const start = simNowMs();
    await Promise.all(
      [0, 3, 7.5, 12].map(
        (offsetMs) =>
          new Promise<void>((resolve) => {
            const atMs = start + offsetMs;
            clock.wakeAt(atMs, () => {
              earlyByMs.push(atMs - simNowMs());
              resolve();
            });
          }),
      ),
    );
    expect(earlyByMs.every((e) => e <= 0)).toBe(true);
    let fired = false;
    const cancel = clock.wakeAt(simNowMs() + 5, () => (fired = true));
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(false);
  });
});
