import { describe, expect, it } from "vitest";
import { StepEngine } from "./engine.js";
import type { EngineJob } from "./engine.js";
import { manualSchedulerClock } from "./scheduler-clock.js";
import { simpleTiming } from "./timing.js";

interface Recorded {
  job: EngineJob;
  admittedMs: number[];
  tokenMs: number[];
  lastIndex: number | undefined;
}

function job(outputTokens: number, promptTokens = 10): Recorded {
  const rec: Recorded = {
    admittedMs: [],
    tokenMs: [],
    lastIndex: undefined,
    job: {
      promptTokens,
      outputTokens,
      onAdmitted: (atMs) => rec.admittedMs.push(atMs),
      onToken: (index, atMs, last) => {
        expect(index).toBe(rec.tokenMs.length);
        rec.tokenMs.push(atMs);
        if (last) rec.lastIndex = index;
      },
    },
  };
  return rec;
}

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] ?? 0));

describe("StepEngine", () => {
  it("emits the first token at admission + ttft and the rest one step apart", () => {
    const clock = manualSchedulerClock(1000);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 20, perTokenMs: 10 }), clock });
    const a = job(4);
    engine.submit(a.job);
    clock.advanceBy(1000);
    expect(a.admittedMs).toEqual([1000]);
    expect(a.tokenMs).toEqual([1020, 1030, 1040, 1050]);
    expect(a.lastIndex).toBe(3);
    expect(engine.running).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it("joins a later request at the next step boundary of the running batch", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 20, perTokenMs: 10 }), clock });
    const a = job(10);
    const b = job(3);
    engine.submit(a.job);
    clock.advanceTo(25); // a: tokens at 20
    engine.submit(b.job); // ready at 45, boundaries at 20, 30, 40, 50 → first token at 50
    clock.advanceTo(1000);
    expect(a.tokenMs).toEqual([20, 30, 40, 50, 60, 70, 80, 90, 100, 110]);
    expect(b.tokenMs).toEqual([50, 60, 70]);
  });

  it("slows each step by batchSlowdown per extra running stream", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10, batchSlowdown: 0.5 }), clock });
    const a = job(3);
    const b = job(3);
    engine.submit(a.job);
    engine.submit(b.job);
    clock.advanceTo(1000);
    expect(a.tokenMs).toEqual([0, 15, 30]);
    expect(gaps(b.tokenMs)).toEqual([15, 15]);
  });

  it("adds prefillMsPerToken × prompt tokens to the first token only", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 5, perTokenMs: 10, prefillMsPerToken: 0.5 }), clock });
    const a = job(2, 100);
    engine.submit(a.job);
    clock.advanceTo(1000);
    expect(a.tokenMs).toEqual([55, 65]);
  });

  it("queues beyond maxNumSeqs and admits when a slot frees", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 10, perTokenMs: 10 }), clock, maxNumSeqs: 1 });
    const a = job(2);
    const b = job(2);
    engine.submit(a.job);
    engine.submit(b.job);
    expect([engine.running, engine.waiting]).toEqual([1, 1]);
    clock.advanceTo(1000);
    expect(a.tokenMs).toEqual([10, 20]);
    expect(b.admittedMs).toEqual([20]);
    expect(b.tokenMs).toEqual([30, 40]);
  });

  it("catches up every overdue step when woken late, keeping the grid", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10 }), clock });
    const a = job(5);
    // A clock whose wake-ups arrive 25 ms late: the engine must still emit on the 10 ms grid.
    const late = { nowMs: () => clock.nowMs() + 25, wakeAt: clock.wakeAt };
    const engineLate = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10 }), clock: late });
    const b = job(5);
    engine.submit(a.job);
    engineLate.submit(b.job);
    clock.advanceTo(1000);
    expect(a.tokenMs).toEqual([0, 10, 20, 30, 40]);
    expect(b.tokenMs).toEqual([25, 35, 45, 55, 65]);
  });

  it("cancel stops callbacks and frees the slot; stop drops everything", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10 }), clock });
    const a = job(100);
    const ticket = engine.submit(a.job);
    clock.advanceTo(25);
    ticket.cancel();
    clock.advanceTo(1000);
    expect(a.tokenMs).toEqual([0, 10, 20]);
    expect(engine.running).toBe(0);
    expect(clock.pending()).toBe(0);
    const b = job(100);
    engine.submit(b.job);
    clock.advanceTo(1015);
    engine.stop();
    clock.advanceTo(5000);
    expect(b.tokenMs).toEqual([1000, 1010]);
    expect(clock.pending()).toBe(0);
  });

  it("tolerates a token callback that cancels another stream of the same step", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10 }), clock });
    const b = job(5);
    let bTicket: { cancel(): void } | undefined;
    const a = job(5);
    const onToken = a.job.onToken;
    a.job = { ...a.job, onToken: (i, t, last) => { onToken(i, t, last); if (i === 1) bTicket?.cancel(); } };
    engine.submit(a.job);
    bTicket = engine.submit(b.job);
    clock.advanceTo(1000);
    expect(a.tokenMs).toEqual([0, 10, 20, 30, 40]);
    expect(b.tokenMs).toEqual([0]);
  });

  it("reports KV blocks in use", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10 }), clock });
    engine.submit(job(100, 20).job);
    expect(engine.kvBlocksInUse(16)).toBe(2); // 20 prompt tokens
    clock.advanceTo(125); // 13 tokens emitted → 33 tokens
    expect(engine.kvBlocksInUse(16)).toBe(3);
  });
});
