// `predict` (virtual time) against the live simulator (wall clock): the same engine must give the
// same numbers; the run directory says PREDICTED; calibration recovers constants it was fed.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { calibrate } from "../../src/run/calibrate.js";
import { predictRun } from "../../src/run/predict.js";
import { runBenchmark } from "../../src/run/run-benchmark.js";
import { monotonicNowMs } from "../../src/clock.js";
import { StreamingClient } from "../../src/client/http-client.js";
import type { RequestRecord } from "../../src/client/record.js";
import { startSimulator } from "../../src/sim/index.js";
import { renderConsoleTable } from "../../src/report/console.js";
import type { RunSummary } from "../../src/results/run-summary.js";
import { parseRecordLine } from "../../src/results/request-record.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "sim-predict-"));

describe("servebench predict", () => {
  it("writes the run's files marked PREDICTED, deterministically, far faster than real time", async () => {
    const out = tmp();
    const input = { concurrency: [1, 8], requests: { kind: "count" as const, n: 24 }, inputTokens: 256, outputTokens: 64, out };
    const sim = { preset: { gpu: "A100-80G", model: "Qwen/Qwen3-8B" }, maxModelLen: 4096 };
    const a = await predictRun(input, sim);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as RunSummary;
    expect(summary.run.predicted).toBe(true);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("PREDICTED");
    expect(readFileSync(join(out, "requests.jsonl"), "utf8").trim().split("\n")).toHaveLength(48);
    expect(summary.levels.map((l) => l.requests.completed)).toEqual([24, 24]);
    const [c1, c8] = summary.levels;
    expect((c8?.tpot_ms?.mean ?? 0) / (c1?.tpot_ms?.mean ?? 1)).toBeGreaterThan(1); // batching slows each stream a little
    expect((c8?.output_tokens_per_s ?? 0) / (c1?.output_tokens_per_s ?? 1)).toBeGreaterThan(5); // … and multiplies throughput
    expect(a.simulatedS / a.levelsCpuS).toBeGreaterThan(20);
    const b = await predictRun({ ...input, out: tmp() }, sim);
    expect(b.summary.levels.map((l) => l.tpot_ms?.mean)).toEqual(a.summary.levels.map((l) => l.tpot_ms?.mean));
  });

  it("slo-search steers by the predicted SLO check: up while it holds, then bisects to the capacity", async () => {
    // 4 slots × (10 ms + 19 × 10 ms) per request: 20 req/s before requests queue.
    const { summary } = await predictRun(
      {
        profile: "slo-search",
        slo: [{ metric: "ttft_ms", op: "<=", value: 100, stat: "p99" }],
        sloStart: 2,
        sloTolerance: 0.1,
        durationMs: 20_000,
        inputTokens: 16,
        outputTokens: 20,
        arrival: "constant",
        out: tmp(),
      },
      { ttftMs: 10, perTokenMs: 10, batchSlowdown: 0, maxNumSeqs: 4 },
    );
    const rates = summary.levels.map((l) => (l.load.kind === "rate" ? l.load.rate_per_s : NaN));
    expect(rates.slice(0, 4)).toEqual([2, 4, 8, 16]); // doubling while the SLO holds
    const best = summary.run.slo_max_rate_per_s as number;
    const failedAbove = summary.run.slo_search?.failed_above as number;
    expect(best).toBeGreaterThanOrEqual(16);
    expect(best).toBeLessThanOrEqual(20);
    expect(failedAbove).toBeGreaterThan(best);
    for (const l of summary.levels) {
      const rate = l.load.kind === "rate" ? l.load.rate_per_s : NaN;
      expect(l.slo_check?.met).toBe(rate <= best);
    }
    expect(renderConsoleTable(summary)).toContain(`slo-search: ${best} req/s is the highest load that met ttft_ms.p99<=100`);
  });

  it("reports the prefix-cache hit rate the workload earns", async () => {
    const shared = await predictRun(
      { concurrency: [1], requests: { kind: "count", n: 6 }, inputTokens: 2000, sharedPrefixTokens: 1600, outputTokens: 4, warmup: 1, out: tmp() },
      { preset: { gpu: "H100-SXM", model: "Qwen/Qwen3-8B" }, maxModelLen: 8192 },
    );
    const unique = await predictRun(
      { concurrency: [1], requests: { kind: "count", n: 6 }, inputTokens: 2000, outputTokens: 4, out: tmp() },
      { preset: { gpu: "H100-SXM", model: "Qwen/Qwen3-8B" }, maxModelLen: 8192 },
    );
    expect(unique.summary.levels[0]?.server?.prefix_cache_hit_rate).toBe(0);
    const rate = shared.summary.levels[0]?.server?.prefix_cache_hit_rate as number;
    expect(rate).toBeGreaterThan(0.7);
    expect(rate).toBeLessThan(0.81);
  });

  it("multi-turn sessions: the same turns, histories and prefix-cache hits as run against the live simulator", async () => {
    const workload = {
      endpoint: "chat" as const,
      concurrency: [2],
      requests: { kind: "count" as const, n: 4 },
      turns: 3,
      inputTokens: 200,
      outputTokens: 20,
      thinkTimeMs: 50,
    };
    const preset = { gpu: "H100-SXM", model: "Qwen/Qwen3-8B" };
    const predictedOut = tmp();
    const predicted = await predictRun({ ...workload, out: predictedOut }, { preset });
    const measuredOut = tmp();
    const measured = await runBenchmark({ ...workload, sim: preset, out: measuredOut });
    const promptTokens = (dir: string): Map<string, number> =>
      new Map(
        readFileSync(join(dir, "requests.jsonl"), "utf8")
          .trim()
          .split("\n")
          .map((l) => parseRecordLine(l) as unknown as RequestRecord)
          .map((r) => [r.id, r.usage?.promptTokens ?? -1]),
      );
    const p = promptTokens(predictedOut);
    expect(p.size).toBe(12); // 4 sessions × 3 turns
    expect(p).toEqual(promptTokens(measuredOut));
    // Each turn sends the history with the answer received: turn k+1 is longer than turn k.
    for (let s = 0; s < 4; s++) expect((p.get(`0-${s}.1`) ?? 0) - (p.get(`0-${s}.0`) ?? 0)).toBeGreaterThan(20);
    const [pl, ml] = [predicted.summary.levels[0], measured.summary.levels[0]];
    expect(pl?.by_turn?.later?.requests).toBe(8);
    expect(ml?.by_turn?.later?.requests).toBe(8);
    // The history is served from the prefix cache, the previous answer included (as vLLM does): turn
    // k+1 reuses every full block of turn k's prompt and its computed answer (all but the last token).
    let hits = 0;
    let queries = 0;
    for (let s = 0; s < 4; s++) {
      for (let t = 0; t < 3; t++) {
        queries += p.get(`0-${s}.${t}`) ?? 0;
        if (t > 0) hits += Math.floor(((p.get(`0-${s}.${t - 1}`) ?? 0) + 20 - 1) / 16) * 16;
      }
    }
    expect(pl?.server?.prefix_cache_hit_rate).toBeCloseTo(hits / queries, 4);
    expect(ml?.server?.prefix_cache_hit_rate).toBeCloseTo(hits / queries, 4);
  });

  it("agrees with the live simulator on the wall clock (simple timing)", async () => {
    const sim = { ttftMs: 10, perTokenMs: 6, batchSlowdown: 0.05 };
    const predicted = await predictRun({ concurrency: [4], requests: { kind: "count", n: 8 }, inputTokens: 32, outputTokens: 30, out: tmp() }, sim);
    const live = await startSimulator({ ...sim, promptTokenCounter: (t) => t.split(" ").length });
    const client = new StreamingClient({
      baseUrl: live.url,
      endpoint: "completions",
      model: "sim-model",
      timeoutMs: 10_000,
      maxConnections: 4,
      ignoreEos: false,
      exactOutput: true,
    });
    const originMs = monotonicNowMs();
    const records: RequestRecord[] = [];
    let next = 0;
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        while (next < 8) {
          const index = next++;
          const { record } = await client.send(
            { index, prompt: "w ".repeat(32).trim(), inputTokens: 32, targetOutputTokens: 30 },
            { id: `0-${index}`, level: 0, warmup: false, scheduledMs: monotonicNowMs() - originMs, originMs },
          );
          records.push(record);
        }
      }),
    );
    await client.close();
    await live.close();
    const tpot = (r: RequestRecord): number => (r.endMs - (r.firstTokenMs ?? 0)) / 29;
    const liveTpot = records.reduce((a, r) => a + tpot(r), 0) / records.length;
    const predictedTpot = predicted.summary.levels[0]?.tpot_ms?.mean ?? 0;
    expect(Math.abs(liveTpot - predictedTpot) / predictedTpot).toBeLessThan(0.2);
  });
});

describe("servebench calibrate", () => {
  it("recovers the constants that produced a 'measured' point and cuts the error", async () => {
    const config = { concurrency: [4], requests: { kind: "count" as const, n: 8 }, inputTokens: 512, outputTokens: 32 };
    const truth = { memoryEfficiency: 0.6, stepOverheadMs: 6 };
    const base = { preset: { gpu: "H100-SXM", model: "Qwen/Qwen3-8B" }, maxModelLen: 4096 };
    const measured = (await predictRun(config, { ...base, preset: { ...base.preset, profile: truth } }, { noWrite: true })).summary.levels[0];
    const result = await calibrate(
      [{ label: "c=4", config, measured: [{ ttftMs: measured?.ttft_ms?.mean, tpotMs: measured?.tpot_ms?.mean }], fit: true }],
      base,
      { maxEvaluations: 60 },
    );
    const worst = (errors: { errorPct: number }[]): number => Math.max(...errors.map((e) => Math.abs(e.errorPct)));
    expect(worst(result.before)).toBeGreaterThan(20);
    expect(worst(result.after)).toBeLessThan(worst(result.before) / 2);
  });

  it("predicts each point on its own GPU's defaults, not the fitted point's (a PCIe card's all-reduce, ROCm's BLAS split)", async () => {
    const config = { concurrency: [4], requests: { kind: "count" as const, n: 4 }, inputTokens: 64, outputTokens: 16 };
    const sim = (gpu: string, tp: number) => ({ preset: { gpu, model: "meta-llama/Llama-3.2-3B-Instruct", dtype: "fp16", tp }, maxModelLen: 2048 });
    const alone = async (gpu: string, tp: number): Promise<number | undefined> =>
      (await predictRun(config, sim(gpu, tp), { noWrite: true })).summary.levels[0]?.tpot_ms?.mean;
    const points = [
      { label: "H100 PCIe", config, measured: [{ tpotMs: 10 }], fit: true, sim: sim("H100-PCIE", 2) },
      { label: "MI210", config, measured: [{ tpotMs: 10 }], fit: false, sim: sim("MI210", 2) },
    ];
    const result = await calibrate(points, sim("H100-PCIE", 2), { maxEvaluations: 1 });
    const before = (label: string): number | undefined => result.before.find((e) => e.label === label && e.metric === "tpot_ms")?.predicted;
    expect(before("H100 PCIe")).toBeCloseTo((await alone("H100-PCIE", 2)) ?? Number.NaN, 6);
    // MI210 pairs over Infinity Fabric (15 µs all-reduces), not the H100 PCIe's 60 µs.
    expect(before("MI210")).toBeCloseTo((await alone("MI210", 2)) ?? Number.NaN, 6);
    expect(before("MI210")).toBeLessThan(before("H100 PCIe") ?? 0);
  });
});
