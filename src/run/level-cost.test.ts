// $ per million tokens from a GPU's hourly price, the GPU count and the level's throughput.
import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import { isCompareMetric } from "../report/compare.js";
import { costGpus, levelCost } from "./level-extras.js";

describe("levelCost", () => {
  it("charges all GPU time to each kind of token: hourly × GPUs / (tokens/s × 3600) × 10⁶", () => {
    const config = resolveRunConfig({ url: "http://x", gpuHourlyCostUsd: 2.5, gpuCount: 4 });
    expect(levelCost({ output_tokens_per_s: 1000, input_tokens_per_s: 8000 }, config)).toEqual({
      usd_per_gpu_hour: 2.5,
      gpus: 4,
      usd_per_million_output_tokens: 2.7778, // 10 $/h / 3.6 M tokens/h
      usd_per_million_input_tokens: 0.3472,
    });
  });

  it("is null at zero throughput and absent without a price", () => {
    expect(
      levelCost({ output_tokens_per_s: 0, input_tokens_per_s: 0 }, resolveRunConfig({ url: "http://x", gpuHourlyCostUsd: 1 }))?.usd_per_million_output_tokens,
    ).toBeNull();
    expect(levelCost({ output_tokens_per_s: 10, input_tokens_per_s: 10 }, resolveRunConfig({ url: "http://x" }))).toBeUndefined();
  });

  it("counts the embedded simulator's tp × pp GPUs unless --gpu-count says", () => {
    expect(costGpus(resolveRunConfig({ sim: { gpu: "H100-SXM", model: "Qwen/Qwen3-8B", tp: 2, pp: 2 } }))).toBe(4);
    expect(costGpus(resolveRunConfig({ url: "http://x" }))).toBe(1);
    expect(costGpus(resolveRunConfig({ url: "http://x", gpuCount: 8 }))).toBe(8);
  });

  it("is a compare and --fail-if metric", () => {
    expect(isCompareMetric("cost.usd_per_million_output_tokens")).toBe(true);
    expect(isCompareMetric("cost.usd_per_million_input_tokens")).toBe(true);
  });
});
