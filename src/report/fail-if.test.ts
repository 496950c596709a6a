// Unit tests for compare --fail-if: parsing, bad input, when a condition holds.
import { describe, expect, it } from "vitest";
import { isBenchError } from "../errors.js";
import { conditionFails, parseCondition, parseConditions } from "./fail-if.js";

const known = (id: string): boolean => ["tpot_ms.p99", "ttft_ms.p50", "error_rate", "output_tokens_per_s"].includes(id);

describe("--fail-if conditions", () => {
  it("parses relative, absolute-change and value thresholds", () => {
    expect(parseCondition("tpot_ms.p99 > +5%", known)).toMatchObject({ metric: "tpot_ms.p99", op: ">", kind: "relative", value: 0.05 });
    expect(parseCondition("output_tokens_per_s < -10%", known)).toMatchObject({ op: "<", kind: "relative", value: -0.1 });
    expect(parseCondition("ttft_ms.p50>=+20", known)).toMatchObject({ op: ">=", kind: "delta", value: 20 });
    expect(parseCondition("error_rate > 0.01", known)).toMatchObject({ kind: "value", value: 0.01 });
    expect(parseConditions(["tpot_ms.p99 > +5%,error_rate > 0", "ttft_ms.p50 > 100"], known)).toHaveLength(3);
  });

  it("rejects malformed conditions and unknown metrics as bad input", () => {
    for (const bad of ["tpot_ms.p99 >> 5%", "tpot_ms.p99", "nope.p99 > 1%"]) {
      let error: unknown;
      try {
        parseCondition(bad, known);
      } catch (e) {
        error = e;
      }
      expect(isBenchError(error) && error.code).toBe("E_BAD_FLAG");
    }
  });

  it("holds (fails the build) exactly when the change crosses the threshold", () => {
    const c = parseCondition("tpot_ms.p99 > +5%", known);
    expect(conditionFails(c, 100, 106)).toBe(true);
    expect(conditionFails(c, 100, 105)).toBe(false);
    expect(conditionFails(c, 100, 90)).toBe(false);
    expect(conditionFails(c, undefined, 90)).toBeUndefined();
    expect(conditionFails(parseCondition("ttft_ms.p50 > +20", known), 100, 121)).toBe(true);
    expect(conditionFails(parseCondition("error_rate > 0.01", known), 0, 0.02)).toBe(true);
    expect(conditionFails(parseCondition("output_tokens_per_s < -10%", known), 1000, 850)).toBe(true);
  });
});
