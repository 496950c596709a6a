import { describe, expect, it } from "vitest";
import { isBenchError } from "../errors.js";
import { simpleTiming } from "./timing.js";

describe("simpleTiming", () => {
  it("has documented defaults", () => {
    const t = simpleTiming();
    expect(t.ttftMs({ promptTokens: 1000, running: 5, waiting: 0 })).toBe(20);
    expect(t.stepMs({ running: 1, contextTokens: 0 })).toBe(10);
    expect(t.stepMs({ running: 100, contextTokens: 0 })).toBe(10);
  });

  it("scales prefill with prompt tokens and steps with the batch", () => {
    const t = simpleTiming({ ttftMs: 30, perTokenMs: 20, batchSlowdown: 0.01, prefillMsPerToken: 0.1 });
    expect(t.ttftMs({ promptTokens: 500, running: 0, waiting: 0 })).toBeCloseTo(80);
    expect(t.stepMs({ running: 1, contextTokens: 10 })).toBe(20);
    expect(t.stepMs({ running: 101, contextTokens: 10 })).toBeCloseTo(40);
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
