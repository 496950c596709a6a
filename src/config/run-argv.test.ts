// runArgsFromConfig is the inverse of the `run` flags: every field written as flags and parsed
// back by the CLI's own flag definitions gives the same configuration input.

import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { addRunFlags, runConfigFromFlags } from "../cli/run-flags.js";
import { addEmbeddedSimFlags } from "../cli/sim-flags.js";
import { loadPlanFile } from "../plan/load-plan.js";
import { runArgsFromConfig } from "./run-argv.js";
import type { RunConfigInput } from "./run-config.js";

function parseBack(args: string[]): RunConfigInput {
  const cmd = addEmbeddedSimFlags(addRunFlags(new Command("run").exitOverride()));
  cmd.parse(args, { from: "user" });
  return runConfigFromFlags(cmd.opts());
}

describe("runArgsFromConfig", () => {
  it("round-trips every field through the run flags", () => {
    const inputs: RunConfigInput[] = [
      {
        url: "http://vllm.bench.svc:8000/v1",
        model: "m/x",
        tokenizer: "Qwen/Qwen3-0.6B",
        endpoint: "chat",
        inputTokens: 300,
        outputTokens: 64,
        exactOutput: false,
        strict: true,
        sharedPrefixTokens: 0,
        prompt: "it's a prompt, with 'quotes'",
        datasetFormat: "jsonl",
        datasetSample: 7,
        inputDist: { kind: "lognormal", mean: 512, sigma: 0.5, max: 4096 },
        outputDist: { kind: "histogram", file: "/data/h.csv", min: 2 },
        prefixGroups: 4,
        prefixTokens: 100,
        suffixTokens: 20,
        turns: 3,
        thinkTimeMs: 0,
        chatTemplate: "tokenizer",
        trace: "/t.jsonl",
        traceFormat: "mooncake",
        timeScale: 0.5,
        concurrency: [1, 8, 64],
        arrival: "gamma",
        burstiness: 0.25,
        profile: "levels",
        rampMs: 1500,
        sweepRates: 3,
        sweepMaxConcurrency: 99,
        sloSearchBy: "concurrency",
        sloTolerance: 0.1,
        sloMaxLevels: 5,
        sloStart: 2.5,
        maxErrorRate: 0.2,
        stopOnSaturation: false,
        requests: { kind: "multiple", factor: 2.5 },
        durationMs: 60_000,
        warmup: 0,
        timeoutMs: 90_000,
        slo: [
          { metric: "ttft_ms", op: "<=", value: 500 },
          { metric: "tpot_ms", op: "<", value: 50.5, stat: "p99" },
        ],
        percentiles: [50, 99.9],
        seed: 3,
        workers: 1,
        shard: { index: 1, count: 4 },
        startAtEpochMs: 1_795_390_000_000,
        barrierDir: "/results/x/barrier",
        barrierTimeoutMs: 120_000,
        barrierMarginMs: 0,
        levelGapMs: 2500,
        out: "/tmp/o",
        apiKeyEnv: "MY_KEY",
        clientTokenCheck: false,
        metricsUrl: "http://m:9090/metrics",
        metrics: false,
        metricsIntervalMs: 250,
        waitReadyMs: 30_000,
        serverCmd: "vllm serve x",
        gpuInfoCmd: "nvidia-smi -q",
        sim: { ttftMs: 0, perTokenMs: 2, batchSlowdown: 0, maxNumSeqs: 8, trace: "/tmp/sim.jsonl" },
      },
      {
        concurrency: [4],
        sim: {
          model: "Qwen/Qwen3-8B",
          gpu: "H100-SXM",
          modelConfig: "/m/config.json",
          dtype: "fp8",
          kvDtype: "fp8",
          tp: 2,
          pp: 1,
          maxModelLen: 8192,
          gpuMemoryUtilization: 0.85,
          maxNumSeqs: 64,
          maxNumBatchedTokens: 4096,
          kvCacheBlocks: 1000,
          prefixCaching: false,
          enforceEager: true,
          specTokens: 3,
          specAcceptance: 0.6,
          specDraftModel: "Qwen/Qwen3-0.6B",
          profile: "/p.json",
          coldStartMs: 1500,
          dialect: "sglang",
          faults: "http500=0.05",
        },
      },
      { rate: [0.5, 2], requests: { kind: "count", n: 30 }, stopOnSaturation: true, dataset: "/data/d.csv", inputDist: "uniform:min=1,max=9" },
    ];
    for (const input of inputs) {
      const back = parseBack(runArgsFromConfig(input));
      const expected = typeof input.inputDist === "string" ? { ...input, inputDist: { kind: "uniform", min: 1, max: 9 } } : input;
      expect(back).toEqual(expected);
    }
  });

  it("writes nothing for fields left out, and the default wait as no flag", () => {
    expect(runArgsFromConfig({})).toEqual([]);
    expect(runArgsFromConfig({ waitReadyMs: 0, slo: [], exactOutput: true })).toEqual([]);
  });

  const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
  it.each(readdirSync(examples).filter((f) => f.endsWith(".yaml")))("every cell of examples/%s round-trips", (file) => {
    for (const cell of loadPlanFile(`${examples}${file}`).cells) {
      const run = Object.fromEntries(Object.entries(cell.run).filter(([, v]) => v !== undefined));
      expect(parseBack(runArgsFromConfig(cell.run))).toEqual(run);
    }
  });
});
