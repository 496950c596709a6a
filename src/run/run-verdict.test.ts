import { describe, expect, it } from "vitest";
import type { LevelSummary } from "../metrics/level.js";
import { levelTargetFailure, runVerdict } from "./run-verdict.js";

function level(over: Partial<LevelSummary> & { sent?: number; completed?: number; errored?: number } = {}): LevelSummary {
  const { sent = 10, completed = 10, errored = 0, ...rest } = over;
  return {
    level: 0,
    load: { kind: "concurrency", concurrency: 1 },
    requests: { sent, completed, errored, aborted: sent - completed - errored, warmup: 0 },
    errors_by_code: {},
    duration_s: 1,
    request_per_s: 1,
    input_tokens_per_s: 1,
    output_tokens_per_s: 1,
    total_tokens_per_s: 2,
    input_tokens_total: 1,
    output_tokens_total: 1,
    interrupted: false,
    warnings: [],
    ...rest,
  };
}

const run = { interrupted: false, strict: false, profile: "levels" } as const;

describe("levelTargetFailure", () => {
  it("a level with no success fails; some failures do not, unless above --max-error-rate", () => {
    expect(levelTargetFailure(level({ completed: 0, errored: 10 }), undefined)).toBe("every one of the 10 requests failed");
    expect(levelTargetFailure(level({ completed: 8, errored: 2 }), undefined)).toBeUndefined();
    expect(levelTargetFailure(level({ completed: 8, errored: 2 }), 0.1)).toMatch(/error rate 20\.0% \(2 of 10\) is above --max-error-rate 10\.0%/);
    expect(levelTargetFailure(level({ sent: 0, completed: 0 }), undefined)).toBeUndefined();
  });
});

describe("runVerdict", () => {
  it("ok, partial, and the worst finding first", () => {
    expect(runVerdict(run, [level()]).status).toBe("ok");
    expect(runVerdict(run, [level({ completed: 9, errored: 1 })])).toMatchObject({
      status: "partial",
      reasons: ["level 0 (concurrency 1): 1 of 10 requests failed"],
    });
    const failing = level({ completed: 0, errored: 10, target_failed: "every one of the 10 requests failed" });
    const strictBad = level({ level: 1, strict: { checked: 10, mismatched: 2, input_mismatches: 2, output_mismatches: 0, examples: [] } });
    const v = runVerdict({ ...run, strict: true }, [strictBad, failing]);
    expect(v.status).toBe("target_failed");
    expect(v.reasons).toHaveLength(2);
    expect(runVerdict({ ...run, interrupted: true }, [failing]).status).toBe("interrupted");
  });

  it("--strict: a mismatch or impossible usage fails; nothing to check is not a pass but a target failure", () => {
    const strict = { ...run, strict: true };
    expect(runVerdict(strict, [level({ usage_impossible: { requests: 1, output_tokens_from: "streamed_chunks", examples: [] } })]).status).toBe(
      "strict_mismatch",
    );
    const none = level({
      completed: 0,
      errored: 10,
      target_failed: "every one of the 10 requests failed",
      strict: { checked: 0, mismatched: 0, input_mismatches: 0, output_mismatches: 0, examples: [] },
    });
    expect(runVerdict(strict, [none]).status).toBe("target_failed");
  });

  it("an aggregate SLO term not met; slo-search with no passing load", () => {
    const slo = { met: false, terms: [{ term: "ttft_ms.p99<=500", actual: 812.4, met: false }] };
    expect(runVerdict(run, [level({ slo_check: slo })])).toMatchObject({
      status: "slo_not_met",
      reasons: ["level 0 (concurrency 1): SLO not met: ttft_ms.p99<=500 (actual 812)"],
    });
    const search = {
      by: "rate" as const,
      slo: "ttft_ms.p99<=500",
      tolerance: 0.05,
      probes: 3,
      converged: true,
      failed_above: 1,
      level: null,
      goodput_request_per_s: null,
      goodput_fraction: null,
    };
    expect(runVerdict({ ...run, profile: "slo-search", slo_search: search }, [level({ slo_check: slo })]).status).toBe("slo_not_met");
    expect(runVerdict({ ...run, profile: "slo-search", slo_search: { ...search, level: 0 } }, [level({ slo_check: slo })]).status).toBe("ok");
  });
});
