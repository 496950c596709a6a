import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { promptKeys } from "./block-hash.js";

const hashPrompt = (content: string | readonly number[], tokens: number, blockSize: number, tokenizer: undefined): number[] =>
  promptKeys(content, tokens, blockSize, tokenizer).hashes;
import { StepEngine } from "./engine.js";
import type { EngineJob, StepRecord } from "./engine.js";
import { manualSchedulerClock } from "./scheduler-clock.js";
import { simpleTiming } from "./timing.js";

interface Outcome {
  tokens: number[];
  times: number[];
  lastCount: number;
}

function tracked(promptTokens: number, outputTokens: number, promptHashes: number[] = []): { job: EngineJob; out: Outcome } {
  const out: Outcome = { tokens: [], times: [], lastCount: 0 };
  const job: EngineJob = {
    promptTokens,
    outputTokens,
    promptHashes,
    onAdmitted: () => undefined,
    onTokens: (first, count, atMs, last) => {
      for (let i = 0; i < count; i++) {
        out.tokens.push(first + i);
        out.times.push(atMs);
      }
      if (last) out.lastCount++;
    },
  };
  return { job, out };
}

const arrivals = fc.array(
  fc.record({
    atMs: fc.integer({ min: 0, max: 400 }),
    prompt: fc.integer({ min: 1, max: 300 }),
    output: fc.integer({ min: 1, max: 60 }),
    family: fc.integer({ min: 0, max: 3 }),
  }),
  { minLength: 1, maxLength: 25 },
);

describe("scheduler invariants (property)", () => {
  it("never exceeds the token budget or the KV cache; every request finishes with all its tokens in order", () => {
    fc.assert(
      fc.property(
        arrivals,
        fc.integer({ min: 16, max: 256 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 24, max: 64 }),
        fc.integer({ min: 0, max: 3 }),
        (jobs, budget, maxNumSeqs, kvBlocks, draftTokens) => {
          const clock = manualSchedulerClock(0);
          const steps: StepRecord[] = [];
          const engine = new StepEngine({
            timing: simpleTiming({ ttftMs: 1, perTokenMs: 5, prefillMsPerToken: 0.01, batchSlowdown: 0.1 }),
            clock,
            maxNumBatchedTokens: budget,
            maxNumSeqs,
            kvBlocks,
            spec: { draftTokens, acceptanceRate: 0.6, seed: 3 },
            onStep: (s) => steps.push(s),
          });
          // Prompts of one family share their text, so prefix hits and shared blocks happen too.
          const outs = jobs.map((j) => {
            const t = tracked(j.prompt, j.output, hashPrompt(`family ${j.family} `.repeat(80), j.prompt, 16, undefined));
            clock.wakeAt(j.atMs, () => engine.submit(t.job));
            return { ...t, spec: j };
          });
          clock.advanceTo(1e9);
          for (const s of steps) {
            expect(s.scheduledTokens).toBeGreaterThan(0);
            expect(s.scheduledTokens).toBeLessThanOrEqual(budget);
            expect(s.ctx.running).toBeLessThanOrEqual(maxNumSeqs);
            expect(s.usedBlocks).toBeLessThanOrEqual(kvBlocks);
            expect(s.numBlocks).toBe(kvBlocks);
          }
          for (const { out, spec } of outs) {
            expect(out.tokens).toEqual(Array.from({ length: spec.output }, (_, i) => i));
            expect(out.lastCount).toBe(1);
            expect(out.times.every((t, i) => i === 0 || t >= (out.times[i - 1] ?? 0))).toBe(true);
          }
          expect([engine.running, engine.waiting, engine.kvBlocks.used]).toEqual([0, 0, 0]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("preempts by recompute when blocks run out, counts it, and resumes without repeating tokens", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10 }), clock, kvBlocks: 12 });
    const a = tracked(64, 80); // grows to 9 blocks
    const b = tracked(64, 80);
    engine.submit(a.job);
    engine.submit(b.job);
    clock.advanceTo(1e7);
    expect(engine.preemptions).toBeGreaterThan(0);
    for (const t of [a, b]) expect(t.out.tokens).toEqual(Array.from({ length: 80 }, (_, i) => i));
  });

  it("rejects a request that can never fit in the cache instead of stalling", () => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 10 }), clock, kvBlocks: 4 });
    const reasons: string[] = [];
    const big = tracked(100, 10);
    engine.submit({ ...big.job, onRejected: (r) => reasons.push(r) });
    const small = tracked(10, 5);
    engine.submit(small.job);
    clock.advanceTo(1e6);
    expect(reasons).toHaveLength(1);
    expect(small.out.tokens).toHaveLength(5);
  });
});

describe("prefix-cache accounting", () => {
  const run = (prompts: string[], promptTokens: number): { queries: number; hits: number } => {
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 1 }), clock, kvBlocks: 50_000 });
    // One after another, as a concurrency-1 benchmark sends them.
    let at = 0;
    for (const text of prompts) {
      clock.wakeAt(at, () => engine.submit(tracked(promptTokens, 4, hashPrompt(text, promptTokens, 16, undefined)).job));
      at += 1000;
    }
    clock.advanceTo(at + 1000);
    return engine.prefixCache;
  };

  it("unique prompts never hit", () => {
    const prompts = Array.from({ length: 5 }, (_, i) => `request ${i}: ${"lorem ipsum dolor ".repeat(200)}`);
    expect(run(prompts, 1000)).toEqual({ queries: 5000, hits: 0 });
  });

  it("identical prompts hit every full block after the first request, except the block of the last token", () => {
    const prompt = "the same long prompt ".repeat(2000);
    // 10,000 tokens: 625 full blocks, but vLLM recomputes the last token, so 624 blocks (9,984 tokens) hit.
    expect(run([prompt, prompt], 10_000)).toEqual({ queries: 20_000, hits: 9984 }); // 49.92 %: seed 001, concurrency 1
    expect(
      run(
        Array.from({ length: 31 }, () => prompt),
        10_000,
      ).hits /
        (31 * 10_000),
    ).toBeCloseTo(0.9662, 4); // seed 001, c = 10
  });

  it("prompts sharing a prefix hit exactly the shared full blocks", () => {
    const ids = (suffix: number): number[] => [...Array.from({ length: 320 }, (_, i) => i), ...Array.from({ length: 180 }, () => suffix)];
    const clock = manualSchedulerClock(0);
    const engine = new StepEngine({ timing: simpleTiming({ ttftMs: 0, perTokenMs: 1 }), clock, kvBlocks: 1000 });
    engine.submit(tracked(500, 2, hashPrompt(ids(1), 500, 16, undefined)).job);
    clock.advanceTo(100);
    engine.submit(tracked(500, 2, hashPrompt(ids(2), 500, 16, undefined)).job);
    clock.advanceTo(200);
    expect(engine.prefixCache).toEqual({ queries: 1000, hits: 320 });
  });
});
