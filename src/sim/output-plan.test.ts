import { describe, expect, it } from "vitest";
import { mixSeed, planOutput, tokenText } from "./output-plan.js";

describe("tokenText", () => {
  it("is a space-prefixed word, deterministic and cycling", () => {
    expect(tokenText(0)).toBe(" the");
    expect(tokenText(1)).toBe(" quick");
    expect(tokenText(20)).toBe(tokenText(0));
    for (let i = 0; i < 40; i++) expect(tokenText(i)).toMatch(/^ [a-z]+$/);
  });
});

describe("planOutput", () => {
  const base = { maxTokens: 50, minTokens: 0, ignoreEos: false, eosProbability: 0, seed: 1 };

  it("is exactly max_tokens with eosProbability 0 or ignore_eos", () => {
    expect(planOutput(base)).toEqual({ tokens: 50, finishReason: "length" });
    expect(planOutput({ ...base, eosProbability: 1, ignoreEos: true })).toEqual({ tokens: 50, finishReason: "length" });
  });

  it("never stops before min_tokens text tokens", () => {
    for (let seed = 0; seed < 200; seed++) {
      const plan = planOutput({ ...base, minTokens: 7, eosProbability: 0.5, seed: mixSeed(3, seed) });
      // An EOS plan has tokens - 1 text tokens before the EOS token.
      if (plan.finishReason === "stop") expect(plan.tokens - 1).toBeGreaterThanOrEqual(7);
      expect(plan.tokens).toBeLessThanOrEqual(50);
    }
    expect(planOutput({ ...base, minTokens: 7, eosProbability: 1 })).toEqual({ tokens: 8, finishReason: "stop" });
  });

  it("is deterministic per seed and varies across seeds", () => {
    const plans = Array.from({ length: 50 }, (_, i) => planOutput({ ...base, eosProbability: 0.1, seed: mixSeed(0, i) }));
    const again = Array.from({ length: 50 }, (_, i) => planOutput({ ...base, eosProbability: 0.1, seed: mixSeed(0, i) }));
    expect(again).toEqual(plans);
    expect(new Set(plans.map((p) => p.tokens)).size).toBeGreaterThan(5);
  });
});
