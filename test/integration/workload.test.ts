// Integration: production-like workloads through runBenchmark against the embedded simulator on
// 127.0.0.1 port 0: template-exact chat accounting (strict checks prompts), shared-prefix groups,
// multi-turn sessions, trace replay and the SLO search.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runBenchmark } from "../../src/run/run-benchmark.js";
import { parseRecordLine } from "../../src/results/request-record.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/workload");
const tmp = mkdtempSync(join(tmpdir(), "servebench-workload-"));
const fast = { sim: { ttftMs: 5, perTokenMs: 1, batchSlowdown: 0 }, metricsIntervalMs: 200, clientTokenCheck: false } as const;

function records(dir: string): Array<Record<string, unknown>> {
  return readFileSync(join(dir, "requests.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => parseRecordLine(l) as unknown as Record<string, unknown>);
}

describe("workloads against the simulator", () => {
  it("ShareGPT over chat: prompt tokens counted after the chat template, so strict checks them too", async () => {
    const { summary } = await runBenchmark({
      ...fast,
      out: join(tmp, "sharegpt"),
      endpoint: "chat",
      strict: true,
      concurrency: [4],
      requests: { kind: "count", n: 24 },
      dataset: join(FIXTURES, "sharegpt-sample.json"),
      datasetSample: 20,
      seed: 7,
    });
    expect(summary.run.input_token_count).toBe("chat-template");
    const level = summary.levels[0];
    expect(level?.strict).toMatchObject({ checked: 24, mismatched: 0 });
    expect(level?.strict?.note).toBeUndefined();
    expect(summary.run.workload).toMatch(/sharegpt, sample 20 of 103/);
  });

  it("the client token check counts the text of every completion (text is kept for the checked requests)", async () => {
    const { summary } = await runBenchmark({
      ...fast,
      clientTokenCheck: true,
      out: join(tmp, "token-check"),
      concurrency: [4],
      requests: { kind: "count", n: 12 },
      inputTokens: 16,
      outputTokens: 8,
    });
    expect(summary.levels[0]?.client_token_check).toMatchObject({ checked: 12 });
  });

  it("shared-prefix groups report the best-case hit rate next to the measured one", async () => {
    const { summary } = await runBenchmark({
      ...fast,
      out: join(tmp, "groups"),
      strict: true,
      concurrency: [2],
      requests: { kind: "count", n: 12 },
      prefixGroups: 3,
      prefixTokens: 64,
      suffixTokens: 16,
      outputTokens: 4,
    });
    const level = summary.levels[0];
    expect(level?.strict?.mismatched).toBe(0);
    expect(level?.input_tokens).toMatchObject({ min: 80, max: 80 });
    // 12 requests, 3 groups: 9 hit 64 of 80 tokens.
    expect(level?.prefix_cache).toMatchObject({ groups: 3, prefix_tokens: 64, best_case_hit_rate: 0.6 });
    // The server's own number, from /metrics; an infinite cache could not do better than the best case.
    const measured = level?.prefix_cache?.measured_hit_rate;
    expect(measured === null || (typeof measured === "number" && measured <= 0.6 + 1e-9)).toBe(true);
  });

  it("one shared prefix (--shared-prefix-tokens) reports its best-case hit rate too", async () => {
    const { summary } = await runBenchmark({
      ...fast,
      out: join(tmp, "shared-prefix"),
      strict: true,
      concurrency: [2],
      requests: { kind: "count", n: 10 },
      inputTokens: 80,
      sharedPrefixTokens: 60,
      outputTokens: 4,
    });
    const level = summary.levels[0];
    expect(level?.strict?.mismatched).toBe(0);
    // 10 requests of 80 tokens, one prefix of 60: the 9 after the first hit 60 of 80.
    expect(level?.prefix_cache).toMatchObject({ groups: 1, prefix_tokens: 60, best_case_hit_rate: 0.675 });
  });

  it("multi-turn sessions carry the received answers and split TTFT by turn", async () => {
    const out = join(tmp, "turns");
    const { summary } = await runBenchmark({
      ...fast,
      out,
      endpoint: "chat",
      strict: true,
      concurrency: [2],
      requests: { kind: "count", n: 3 },
      turns: 3,
      thinkTimeMs: 20,
      inputTokens: 30,
      outputTokens: 6,
    });
    const level = summary.levels[0];
    expect(level?.requests.completed).toBe(9);
    expect(level?.strict?.mismatched).toBe(0);
    expect(level?.by_turn?.first.requests).toBe(3);
    expect(level?.by_turn?.later.requests).toBe(6);
    const byTurn = new Map<number, number[]>();
    for (const r of records(out)) byTurn.set(r["turn"] as number, [...(byTurn.get(r["turn"] as number) ?? []), r["targetInputTokens"] as number]);
    // Qwen3 template: 30 + 8 for turn 0; each later turn adds 5 + 6 (answer) + 5 + 30 tokens.
    expect(byTurn.get(0)).toEqual([38, 38, 38]);
    expect(byTurn.get(1)).toEqual([84, 84, 84]);
    expect(byTurn.get(2)).toEqual([130, 130, 130]);
  });

  it("replays a trace at its lengths and scaled times", async () => {
    const out = join(tmp, "trace");
    const { summary } = await runBenchmark({
      ...fast,
      out,
      strict: true,
      trace: join(FIXTURES, "trace-servebench.jsonl"),
      timeScale: 0.2,
    });
    const level = summary.levels[0];
    expect(level?.load).toMatchObject({ kind: "rate", arrival: "trace", time_scale: 0.2 });
    expect(level?.strict).toMatchObject({ checked: 4, mismatched: 0 });
    const recs = records(out).sort((a, b) => (a["index"] as number) - (b["index"] as number));
    expect(recs.map((r) => r["targetInputTokens"])).toEqual([120, 64, 300, 32]);
    const first = recs[0]?.["scheduledMs"] as number;
    expect(recs.map((r) => Math.round((r["scheduledMs"] as number) - first))).toEqual([0, 50, 200, 220]);
  });

  it("replays a Mooncake trace's hash_ids as shared prompt blocks the prefix cache hits", async () => {
    const out = join(tmp, "mooncake");
    const { summary } = await runBenchmark({
      ...fast,
      out,
      strict: true,
      trace: join(FIXTURES, "trace-mooncake.jsonl"),
      timeScale: 0.01,
      metricsIntervalMs: 100,
    });
    const level = summary.levels[0];
    expect(level?.strict).toMatchObject({ checked: 2, mismatched: 0 });
    expect(summary.run.workload).toMatch(/hash_ids as shared 512-token blocks/);
    // The second request shares 12 blocks (6,144 of its 6,472 tokens) with the first: every full
    // 16-token KV block of them is a hit, nothing else is.
    const hits = level?.server?.prefix_cache_hit_rate ?? 0;
    expect(hits).toBeCloseTo(6144 / (6955 + 6472), 2);
  });

  it("slo-search reports the highest passing rate, its bracket and goodput", async () => {
    const { summary } = await runBenchmark({
      ...fast,
      out: join(tmp, "slo"),
      profile: "slo-search",
      slo: [{ metric: "ttft_ms", op: "<=", value: 1000, stat: "p99" }],
      sloStart: 10,
      sloMaxLevels: 3,
      requests: { kind: "count", n: 10 },
      inputTokens: 16,
      outputTokens: 4,
      arrival: "constant",
    });
    expect(summary.levels.map((l) => l.load.kind === "rate" && l.load.rate_per_s)).toEqual([10, 20, 40]);
    expect(summary.run.slo_max_rate_per_s).toBe(40);
    expect(summary.run.slo_search).toMatchObject({ by: "rate", probes: 3, converged: false, failed_above: null, level: 2, goodput_fraction: 1 });
    expect(summary.levels.every((l) => l.slo_check?.met === true && l.load.role === "probe")).toBe(true);
  });
});
