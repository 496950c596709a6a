import { describe, expect, it } from "vitest";
import { isBenchError } from "../errors.js";
import { simpleTiming } from "./timing.js";
import type { StepContext } from "./timing.js";

const step = (over: Partial<StepContext>): StepContext => ({
  running: 1,
  contextTokens: 0,
  decodeSeqs: 1,
  decodeTokens: 1,
  prefillTokens: 0,
  prefillAttentionWork: 0,
  prefillContextTokens: 0,
  kvReadTokens: 0,
  sampledRows: 1,
  draftTokens: 0,
  ...over,
});

describe("simpleTiming", () => {
  it("has documented defaults", () => {
    const t = simpleTiming();
    expect(t.ttftMs({ promptTokens: 1000, running: 5, waiting: 0 })).toBe(20);
    expect(t.stepMs(step({ running: 1 }))).toBe(10);
    expect(t.stepMs(step({ running: 100, decodeSeqs: 100 }))).toBe(10);
  });

  it("scales prefill with prompt tokens and steps with the batch", () => {
    const t = simpleTiming({ ttftMs: 30, perTokenMs: 20, batchSlowdown: 0.01, prefillMsPerToken: 0.1 });
    expect(t.ttftMs({ promptTokens: 500, running: 0, waiting: 0 })).toBe(30);
    // A prefill-only step costs just its prompt tokens; a decode step pays them on top.
    expect(t.stepMs(step({ decodeSeqs: 0, decodeTokens: 0, prefillTokens: 500 }))).toBeCloseTo(50);
    expect(t.stepMs(step({ running: 1, contextTokens: 10 }))).toBe(20);
    expect(t.stepMs(step({ running: 101, decodeSeqs: 100, prefillTokens: 100 }))).toBeCloseTo(50);
  });

  it("rejects negative or non-finite values with E_BAD_CONFIG naming the option", () => {
    for (const bad of [{ perTokenMs: -1 }, { ttftMs: Number.NaN }, { batchSlowdown: Infinity }]) {
      let caught: unknown;
      try {
        simpleTiming(bad);
      } catch (error) {
        caught = error;
      }
      expect(isBenchError(caught) && caught.code === "E_BAD_CONFIG" && caught.where === Object.keys(bad)[0]).toBe(true);
    }
  });
});
