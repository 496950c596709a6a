// Unit: the run config's `sim` section → the embedded simulator's options and description; bad
// presets and bad combinations fail before anything starts, naming the run config's `sim.*` field.

import { describe, expect, it } from "vitest";
import { type RunConfigInput } from "../config/run-config.js";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import { embeddedSimOptions } from "./embedded-sim.js";

const embedded = (input: RunConfigInput): ReturnType<typeof embeddedSimOptions> => embeddedSimOptions(resolveRunConfig(input));

describe("embedded simulator options", () => {
  it("starts the roofline engine of a preset and describes GPU, model, dtype, TP and PP", () => {
    const { options, info } = embedded({ sim: { gpu: "H100-SXM", model: "Qwen/Qwen3-32B", dtype: "fp8", tp: 2, maxModelLen: 10928 }, seed: 3 });
    expect(options).toMatchObject({
      model: "Qwen/Qwen3-32B",
      maxModelLen: 10928,
      seed: 3,
      preset: { gpu: "H100-SXM", model: "Qwen/Qwen3-32B", dtype: "fp8", tp: 2 },
    });
    expect(info).toMatchObject({
      engine: "roofline",
      model: "Qwen/Qwen3-32B",
      gpu: "H100-SXM",
      dtype: "fp8",
      kv_dtype: "auto",
      tp: 2,
      pp: 1,
      max_model_len: 10928,
      dialect: "vllm",
    });
    expect(info.description).toMatch(/^Qwen\/Qwen3-32B fp8 on H100-SXM tp=2 pp=1: /);
  });

  it("passes a cold start to the simulator and says so in the description (default: none)", () => {
    const cold = embedded({ sim: { timing: "simple", coldStartMs: 1500 } });
    expect(cold.options.coldStartMs).toBe(1500);
    expect(cold.info.description).toMatch(/, cold start 1500 ms$/);
    const warm = embedded({ sim: { timing: "simple" } });
    expect(warm.options.coldStartMs).toBeUndefined();
    expect(warm.info.description).not.toMatch(/cold start/);
  });

  it("serves the run's --model when --sim-model is not given, and sim-model without either", () => {
    expect(embedded({ model: "Qwen/Qwen3-8B", sim: { gpu: "A100-80G" } }).info).toMatchObject({ model: "Qwen/Qwen3-8B", gpu: "A100-80G" });
    const simple = embedded({ sim: { perTokenMs: 4, maxNumSeqs: 8, dialect: "tgi", faults: "http500=0.1" } });
    expect(simple.info).toMatchObject({ engine: "simple", model: "sim-model", dialect: "tgi", faults: "http500=0.1" });
    expect(simple.info.description).toBe(
      "sim-model, simple timing: ttft 30 ms, 4 ms/token, batch slowdown 0.002, max_num_seqs 8, tgi dialect, faults http500=0.1",
    );
    expect(simple.options).toMatchObject({ perTokenMs: 4, maxNumSeqs: 8, dialect: "tgi", faults: "http500=0.1" });
    expect(simple.options.preset).toBeUndefined();
  });

  it("without --sim-gpu runs the roofline engine on the named default preset, and names it", () => {
    const { options, info } = embedded({});
    expect(options.preset).toMatchObject({ gpu: "RTX-4070", model: "Qwen/Qwen3-8B-AWQ" });
    expect(options).toMatchObject({ model: "Qwen/Qwen3-8B-AWQ", maxModelLen: 16384 });
    expect(info).toMatchObject({
      engine: "roofline",
      preset: "rtx-4070-qwen3-8b-awq",
      gpu: "RTX-4070",
      dtype: "awq",
      max_model_len: 16384,
      model: "Qwen/Qwen3-8B-AWQ",
    });
    expect(info.description).toMatch(/^preset rtx-4070-qwen3-8b-awq: Qwen\/Qwen3-8B-AWQ awq on RTX-4070 tp=1 pp=1: .*max_model_len 16384/);
    // --model names what is served; --sim-model picks the catalog model; preset limits still apply.
    const named = embedded({ model: "my-llm", sim: { maxNumSeqs: 8 } });
    expect(named.info).toMatchObject({ model: "my-llm", preset: "rtx-4070-qwen3-8b-awq" });
    expect(named.info.description).toMatch(/max_num_seqs 8,/);
    expect(embedded({ sim: { model: "Qwen/Qwen3-0.6B" } }).info).toMatchObject({ model: "Qwen/Qwen3-0.6B", gpu: "RTX-4070", dtype: "bf16" });
    // The simple timing, asked for or implied by one of its values without a GPU; a GPU keeps the roofline.
    expect(embedded({ sim: { timing: "simple" } }).info).toMatchObject({ engine: "simple", model: "sim-model" });
    expect(embedded({ sim: { ttftMs: 5 } }).info.engine).toBe("simple");
    expect(embedded({ sim: { ttftMs: 5, gpu: "H100-SXM", model: "Qwen/Qwen3-8B" } }).info.engine).toBe("roofline");
    expect(embedded({ sim: { ttftMs: 5, timing: "roofline" } }).info).toMatchObject({ engine: "roofline", preset: "rtx-4070-qwen3-8b-awq" });
  });

  it("rejects unknown presets and impossible deployments naming the run config's field", () => {
    expect(() => embedded({ sim: { gpu: "H900", model: "Qwen/Qwen3-8B" } })).toThrow(/^`sim.gpu`: unknown GPU "H900" \(known: .*H100-SXM.*; see `listGpus`\)$/);
    expect(() => embedded({ sim: { gpu: "H100-SXM", model: "acme/NotAModel" } })).toThrow(
      /^`sim.model`: "acme\/NotAModel" is not in the catalog \(see `listModels`, or pass `sim.modelConfig` PATH\)$/,
    );
    expect(() => embedded({ sim: { gpu: "H100-SXM" } })).toThrow(/^`sim.gpu`: also give `sim.model`/);
    expect(() => embedded({ sim: { timing: "simple", tp: 2 } })).toThrow(/^`sim.tp`: needs `sim.gpu`$/);
    expect(() => embedded({ sim: { timing: "simple", gpu: "H100-SXM", model: "Qwen/Qwen3-8B" } })).toThrow(
      /^`sim.timing` simple: has no GPU or model to simulate; drop `sim.gpu` or `sim.timing`$/,
    );
    expect(() => embedded({ sim: { gpu: "RTX-4070", model: "Qwen/Qwen3-32B" } })).toThrow(/no memory left for the KV cache .* raise `sim.tp`\/`sim.pp`/);
    expect(() => embedded({ sim: { gpu: "H100-SXM", model: "Qwen/Qwen3-8B", maxModelLen: 10_000_000 } })).toThrow(/lower `sim.maxModelLen`/);
    expect(() => embedded({ sim: { faults: "explode=0.5" } })).toThrow(/^`sim.faults`: "explode=0.5" is not one of/);
    expect(() => embedded({ sim: { gpu: "H100-SXM", model: "Qwen/Qwen3-8B", tp: 3 } })).toThrow(expect.objectContaining({ where: "sim.tp" }));
  });

  it("schema: preset fields are typed and never mix with --url", () => {
    expect(() => resolveRunConfig({ url: "http://127.0.0.1:8000", sim: { gpu: "H100-SXM" } })).toThrow(
      "--sim-gpu: configures the embedded simulator, which --url replaces: drop one of them",
    );
    expect(() => resolveRunConfig({ url: "http://127.0.0.1:8000", sim: { prefixCaching: false } })).toThrow(/^--no-sim-prefix-caching: /);
    expect(() => resolveRunConfig({ sim: { dtype: "fp7" as "fp8" } })).toThrow(/^--sim-dtype: /);
    expect(() => resolveRunConfig({ sim: { tp: 0 } })).toThrow(/^--sim-tp: /);
    expect(() => resolveRunConfig({ sim: { gpuMemoryUtilization: 1.5 } })).toThrow(/^--sim-gpu-memory-utilization: /);
    expect(() => resolveRunConfig({ sim: { maxNumBatchedTokens: -1 } })).toThrow(/^--sim-max-num-batched-tokens: /);
    // Simple timing fields have defaults, so a saved --url config (resume) still carries them.
    expect(resolveRunConfig({ url: "http://127.0.0.1:8000", sim: { ttftMs: 5, model: "sim-model" } }).sim.ttftMs).toBe(5);
  });
});
