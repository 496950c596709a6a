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
      onTokens: (first, count, atMs, last) => {
        expect(first).toBe(rec.tokenMs.length);
        for (let i = 0; i < count; i++) rec.tokenMs.push(atMs);
        if (last) rec.lastIndex = first + count - 1;
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
    expect(a.admittedMs).toEqual([1020]); // left the waiting queue when the API-server hold ended
    expect(a.tokenMs).toEqual([1020, 1030, 1040, 1050]);
    expect(a.lastIndex).toBe(3);
    expect(engine.running).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it("a cold start lengthens only the engine's first step: every request in it waits, later ones do not", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 20, perTokenMs: 10 }), clock, coldStartMs: 500 });
    const a = job(3);
    const b = job(3);
    engine.submit(a.job);
    engine.submit(b.job);
    clock.advanceTo(2000);
    expect(a.tokenMs).toEqual([520, 530, 540]);
    expect(b.tokenMs).toEqual([520, 530, 540]);
    const c = job(3);
    engine.submit(c.job); // reaches the scheduler at 2020; warm now
    clock.advanceTo(4000);
    expect(c.tokenMs).toEqual([2020, 2030, 2040]);
  });

  it("prefills a later request in the next step of the running batch; its first token ends that step", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 20, perTokenMs: 10 }), clock });
    const a = job(10);
    const b = job(3);
    engine.submit(a.job);
    clock.advanceTo(25); // a: tokens at 20
    engine.submit(b.job); // reaches the scheduler at 45; the step 50→60 prefills it
    clock.advanceTo(1000);
    expect(a.tokenMs).toEqual([20, 30, 40, 50, 60, 70, 80, 90, 100, 110]);
    expect(b.admittedMs).toEqual([50]);
    expect(b.tokenMs).toEqual([60, 70, 80]);
  });

  it("slows each step by batchSlowdown per extra running stream", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10, batchSlowdown: 0.5 }), clock });
    const a = job(5);
    const b = job(3);
    engine.submit(a.job);
    engine.submit(b.job);
    clock.advanceTo(1000);
    // b arrives while a's first decode step runs: it joins the next step, which then takes 15 ms.
    expect(a.tokenMs).toEqual([0, 10, 25, 40, 55]);
    expect(gaps(b.tokenMs)).toEqual([15, 15]);
  });

  it("adds prefillMsPerToken × prompt tokens to the prefill step", () => {
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
    clock.advanceTo(10);
    expect([engine.running, engine.waiting]).toEqual([1, 1]);
    clock.advanceTo(1000);
    expect(a.tokenMs).toEqual([10, 20]);
    expect(b.admittedMs).toEqual([20]);
    expect(b.tokenMs).toEqual([20, 30]);
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
    const onTokens = a.job.onTokens;
    a.job = {
      ...a.job,
      onTokens: (i, n, t, last) => {
        onTokens(i, n, t, last);
        if (i === 3) bTicket?.cancel();
      },
    };
    engine.submit(a.job);
    bTicket = engine.submit(b.job);
    clock.advanceTo(1000);
    expect(a.tokenMs).toEqual([0, 10, 20, 30, 40]);
    expect(b.tokenMs).toEqual([20]); // prefilled in the step 10→20; cancelled by a's token of the step 20→30
    expect(engine.running).toBe(0);
  });

  it("reports KV blocks in use and frees them at the end", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10 }), clock, kvBlocks: 100 });
    engine.submit(job(100, 20).job);
    expect(engine.kvBlocks).toEqual({ used: 2, total: 100 }); // 20 prompt tokens
    clock.advanceTo(125); // the step 120→130 computes token 13: 20 + 13 tokens
    expect(engine.kvBlocks.used).toBe(3);
    clock.advanceTo(10_000);
    expect(engine.kvBlocks.used).toBe(0);
  });

  it("prefills long prompts in chunks of the token budget, decode rows first", () => {
    const clock = manualSchedulerClock(0);
    const steps: { decode: number; prefill: number }[] = [];
    const engine = new StepEngine({
      timing: simpleTiming({ ttftMs: 0, perTokenMs: 10, prefillMsPerToken: 0.01 }),
      clock,
      maxNumBatchedTokens: 100,
      onStep: (s) => steps.push({ decode: s.ctx.decodeTokens, prefill: s.ctx.prefillTokens }),
    });
    const a = job(5, 10);
    const b = job(2, 250);
    engine.submit(a.job);
    engine.submit(b.job);
    clock.advanceTo(10_000);
    expect(steps.slice(0, 5)).toEqual([
      { decode: 0, prefill: 10 }, // a alone: b arrives while this step runs
      { decode: 1, prefill: 99 }, // a's decode row first, then 99 of b's 250 prompt tokens
      { decode: 1, prefill: 99 },
      { decode: 1, prefill: 52 }, // b's prompt done: its first token ends this step
      { decode: 2, prefill: 0 },
    ]);
    expect(a.tokenMs.length).toBe(5);
    expect(b.tokenMs.length).toBe(2);
  });

  it("emits several tokens per step with speculative decoding, never more than asked", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({
      timing: simpleTiming({ ttftMs: 0, perTokenMs: 10 }),
      clock,
      spec: { draftTokens: 3, acceptanceRate: 1, seed: 1 },
    });
    const a = job(10);
    engine.submit(a.job);
    clock.advanceTo(1000);
    // First token from the prefill, then 4 per step (3 accepted drafts + 1), the last step clipped.
    expect(a.tokenMs).toEqual([0, 10, 10, 10, 10, 20, 20, 20, 20, 30]);
  });

  it("prefix cache, simple timing: identical prompts sent at once hit the first one's blocks in the same step (vLLM V1 caches blocks at allocation)", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10 }), clock });
    const hashes = [101, 202]; // a 40-token prompt: two full 16-token blocks and an 8-token tail
    const cached: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = job(5, 40);
      engine.submit({ ...r.job, promptHashes: hashes, onAdmitted: (_at, n) => cached.push(n) });
    }
    clock.advanceTo(1000);
    expect(cached).toEqual([0, ...Array<number>(39).fill(32)]);
    // vLLM's counters: every prompt token queried, every full block after the first request's a hit.
    expect(engine.prefixCache).toEqual({ queries: 40 * 40, hits: 39 * 32 });
  });
});
