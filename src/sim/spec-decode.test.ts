// Unit: speculative decoding's acceptance falls with the draft position; expected tokens per step.

import { describe, expect, it } from "vitest";
import { expectedTokensPerStep, positionAcceptance } from "./spec-decode.js";

describe("speculative acceptance", () => {
  it("falls with the position, stays 1 for a perfect draft", () => {
    expect(positionAcceptance(0.7, 0)).toBeCloseTo(0.7, 12);
    expect(positionAcceptance(0.7, 4)).toBeCloseTo(0.49, 12);
    for (let i = 1; i < 8; i++) expect(positionAcceptance(0.7, i)).toBeLessThan(positionAcceptance(0.7, i - 1));
    expect(positionAcceptance(1, 7)).toBe(1);
  });

  it("tokens per step: 1 without drafts, k + 1 for a perfect draft, less than constant acceptance would give", () => {
    expect(expectedTokensPerStep(0, 0.7)).toBe(1);
    expect(expectedTokensPerStep(5, 1)).toBe(6);
    const constant = 1 + 0.7 + 0.7 ** 2 + 0.7 ** 3 + 0.7 ** 4 + 0.7 ** 5;
    expect(expectedTokensPerStep(5, 0.7)).toBeLessThan(constant);
    expect(expectedTokensPerStep(5, 0.7)).toBeCloseTo(
      1 + 0.7 + 0.7 * 0.7 ** 1.25 + 0.7 * 0.7 ** 1.25 * 0.7 ** 1.5 + 0.7 ** 3.75 * 0.7 ** 1.75 + 0.7 ** 5.5 * 0.7 ** 2,
      12,
    );
  });
});
