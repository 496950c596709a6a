import { describe, expect, it } from "vitest";
import type { LevelSummary } from "../metrics/level.js";
import { renderConsoleTable } from "./console.js";
import { SUMMARY_SCHEMA, type RunSummary } from "../results/run-summary.js";

function level(i: number, concurrency: number, warnings: string[]): LevelSummary {
  return {
    level: i,
    load: { kind: "concurrency", concurrency },
    requests: { sent: 3, completed: 3, errored: 0, aborted: 0, warmup: 0 },
    errors_by_code: {},
    duration_s: 1,
    request_per_s: 3,
    input_tokens_per_s: 30,
    output_tokens_per_s: 12.5,
    total_tokens_per_s: 42.5,
    input_tokens_total: 30,
    output_tokens_total: 12,
    interrupted: false,
    warnings,
  };
}

describe("console table", () => {
  it("shows the TTFT max, named so, instead of a p99 of a few requests, and no p99 note", () => {
    const summary: RunSummary = {
      schema: SUMMARY_SCHEMA,
      servebench_version: "0",
      run: {
        started_at: "x", target: "t", embedded_simulator: true, model: "m", endpoint: "completions", tokenizer: "tok",
        workload: "w", strict: false, percentiles: [50, 90, 95, 99], seed: 0, predicted: false, interrupted: false,
      },
      levels: [level(0, 1, ["only 3 requests completed: p99 needs at least 100 to mean anything"])],
    };
    const text = renderConsoleTable(summary);
    expect(text.split("\n")[0]).toMatch(/TTFT p50\s+TTFT max\s+TPOT p50/);
    expect(text).not.toMatch(/p99 needs at least/);
    expect(text).toMatch(/TTFT max, not p99: a level had under 100 requests/);
  });

  it("aligns columns and says the small-sample warning once for all levels", () => {
    const summary: RunSummary = {
      schema: SUMMARY_SCHEMA,
      servebench_version: "0",
      run: {
        started_at: "x", target: "t", embedded_simulator: true, model: "m", endpoint: "completions", tokenizer: "tok",
        workload: "w", strict: false, percentiles: [50, 99.9], seed: 0, predicted: false, interrupted: false,
      },
      levels: [
        level(0, 1, ["only 3 requests completed: p99.9 needs at least 1000 to mean anything"]),
        level(1, 4, ["only 3 requests completed: p99.9 needs at least 1000 to mean anything", "3 of 3 requests failed (100.0%)"]),
      ],
    };
    const text = renderConsoleTable(summary);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^load\s+ok\/sent\s+req\/s/);
    expect(lines[2]).toMatch(/^\s*c=1\s+3\/3\s+3\.000\s+12\.5/);
    expect(text.match(/p99\.9 needs at least 1000/g)).toHaveLength(1);
    expect(text).toMatch(/fewer requests completed at c=1, c=4/);
    expect(text).toMatch(/warning: level 1 \(c=4\): 3 of 3 requests failed/);
  });
});

describe("slo-search at its ceiling", () => {
  it("is a warning with a lower bound, never reported as the capacity", async () => {
    const { sloSearchText } = await import("./format.js");
    const run = { slo_max_rate_per_s: 256, slo_search: { by: "rate" as const, slo: "ttft_ms.p99<=2000", probes: 9, converged: false, failed_above: null } };
    expect(sloSearchText(run)).toBe("every probed load met ttft_ms.p99<=2000: the capacity is above 256 req/s, the highest probed (raise --slo-max-levels or --slo-start to find it) (9 probes)");
    expect(sloSearchText({ ...run, slo_search: { ...run.slo_search, failed_above: 300, converged: true } })).toBe("256 req/s is the highest load that met ttft_ms.p99<=2000 (9 probes; 300 req/s failed)");
  });
});

