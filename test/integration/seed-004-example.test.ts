// Integration: examples/seed-004-sweep.yaml predicted in virtual time (its first cell's simulate
// flags and workload, as `plan run` would launch them) against the seed's measured table; prints
// the seed-vs-predicted table and the prefix-cache hit rate its header quotes.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { addSimPresetFlags, simOptionsFromFlags } from "../../src/cli/sim-flags.js";
import { loadPlanFile } from "../../src/plan/load-plan.js";
import { predictRun } from "../../src/run/predict.js";
import { runBenchmark } from "../../src/run/run-benchmark.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "seed-004-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The seed's table: output tokens/s = tokens / total time, and the mean request latency. */
const SEED = [
  { c: 40, tokPerS: 1467.89, e2eS: 2.46 },
  { c: 60, tokPerS: 2529.38, e2eS: 2.05 },
  { c: 80, tokPerS: 2427.98, e2eS: 2.48 },
];

/** The simulator options a `simulate …` command line would start with (the same flag parser). */
function simulateOptions(args: readonly string[]): ReturnType<typeof simOptionsFromFlags> {
  const cmd = addSimPresetFlags(new Command()).option("--port <n>").option("--model <id>").exitOverride().allowExcessArguments(false);
  cmd.parse([...args], { from: "user" });
  const raw = cmd.opts<Record<string, string | boolean | undefined>>();
  return simOptionsFromFlags(raw, typeof raw["model"] === "string" ? raw["model"] : undefined);
}

describe("examples/seed-004-sweep.yaml", () => {
  it("predicts the seed's peak at c=60, tokens/s within 20 % at every level (c=40 with the cold start), and vLLM's prefix-cache hit rate", async () => {
    const plan = loadPlanFile(`${root}examples/seed-004-sweep.yaml`);
    const cell = plan.cells[0];
    if (cell === undefined) throw new Error("no cell");
    const command = (cell.server as { command: string[] }).command;
    const args = command.slice(command.indexOf("simulate") + 1).map((a) => (a === "${port}" ? "0" : a));
    const sim = simulateOptions(args);
    expect(sim.preset).toMatchObject({ gpu: "RTX-5090", model: "Qwen/Qwen2.5-14B-Instruct-AWQ" });
    expect(sim.coldStartMs).toBe(1000);

    const predict = async (options: typeof sim, name: string) => {
      const { summary } = await predictRun({ ...cell.run, out: join(out, name) }, options);
      return SEED.map((seed, i) => {
        const level = summary.levels[i];
        if (level === undefined) throw new Error(`no level ${i}`);
        expect(level.load).toMatchObject({ kind: "concurrency", concurrency: seed.c });
        return {
          ...seed,
          predicted: level.output_tokens_per_s,
          e2eMeanS: (level.e2e_ms?.mean ?? Number.NaN) / 1000,
          hitRate: level.server?.prefix_cache_hit_rate ?? Number.NaN,
        };
      });
    };
    const pct = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(0)}%`;
    const table = (rows: Awaited<ReturnType<typeof predict>>): string =>
      [
        "level | seed out tok/s | predicted | error | seed e2e s | predicted e2e mean s | prefix-cache hit",
        ...rows.map(
          (r) =>
            `c=${r.c}  | ${r.tokPerS.toLocaleString("en-US", { maximumFractionDigits: 0 }).padStart(14)} | ` +
            `${r.predicted.toLocaleString("en-US", { maximumFractionDigits: 0 }).padStart(9)} | ${pct(r.predicted / r.tokPerS - 1).padStart(5)} | ` +
            `${r.e2eS.toFixed(2).padStart(10)} | ${r.e2eMeanS.toFixed(2).padStart(20)} | ${(100 * r.hitRate).toFixed(1).padStart(14)} %`,
        ),
      ].join("\n");

    const rows = await predict(sim, "run");
    const warm = await predict({ ...sim, coldStartMs: 0 }, "warm");
    process.stdout.write(`\nseed 004 vs predicted (examples/seed-004-sweep.yaml, first cell):\n${table(rows)}\n`);
    process.stdout.write(`the same cell without --cold-start (a warm server):\n${table(warm)}\n`);

    const [c40, c60, c80] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    // The sweet spot: c=60 above both neighbours, as measured.
    expect(c60.predicted).toBeGreaterThan(c80.predicted);
    expect(c60.predicted).toBeGreaterThan(c40.predicted);
    for (const r of rows) expect(Math.abs(r.predicted / r.tokPerS - 1)).toBeLessThanOrEqual(0.2);
    // The cold start is what brings c=40 (the seed's first level after start) into line: warm, it is
    // far faster than measured, and the other levels do not change (they run after the warm-up).
    const [w40, w60, w80] = warm as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    expect(w40.predicted / c40.tokPerS - 1).toBeGreaterThan(0.2);
    expect(w60.predicted).toBeCloseTo(c60.predicted, 6);
    expect(w80.predicted).toBeCloseTo(c80.predicted, 6);
    // One fixed 20-token chat prompt: every request after the first hits its full 16-token block.
    expect(c40.hitRate).toBeCloseTo((39 * 16) / (40 * 20), 3);
    expect(c60.hitRate).toBeCloseTo(16 / 20, 3);
    expect(c80.hitRate).toBeCloseTo(16 / 20, 3);
  }, 30_000);

  it("simple timing on the wall clock: the hit rate servebench reads from the simulator's /metrics is vLLM's for one fixed prompt", async () => {
    const { summary } = await runBenchmark({
      sim: { ttftMs: 5, perTokenMs: 1, batchSlowdown: 0 },
      metricsIntervalMs: 200,
      clientTokenCheck: false,
      out: join(out, "simple"),
      endpoint: "chat",
      prompt: "Write a short paragraph explaining why GPUs are good for AI.",
      outputTokens: 20,
      concurrency: [16],
      requests: { kind: "count", n: 16 },
    });
    const server = summary.levels[0]?.server;
    // 16 requests sent at once: the first computes the 16-token block, the other 15 hit it (of 20 prompt tokens each).
    expect(server?.prompt_tokens).toBe(16 * 20);
    expect(server?.prefix_cache_hit_rate).toBeCloseTo((15 * 16) / (16 * 20), 3);
  }, 20_000);
});
