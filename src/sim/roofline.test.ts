import { describe, expect, it } from "vitest";
import modelsJson from "./catalog/models.json" with { type: "json" };
import { findGpu, findModel, listGpus, listModels } from "./catalog.js";
import { kvBytesPerToken, modelParams, modelShapeFromConfig } from "./model-shape.js";
import { describePreset, resolvePreset } from "./preset.js";
import { RooflineTiming, weightBytesPerGpu } from "./roofline.js";
import { defaultProfile, mergeProfile } from "./sim-profile.js";
import type { StepContext } from "./timing.js";

const decode = (n: number, contextEach: number): StepContext => ({
  running: n,
  contextTokens: n * contextEach,
  decodeSeqs: n,
  decodeTokens: n,
  prefillTokens: 0,
  prefillAttentionWork: 0,
  prefillContextTokens: 0,
  kvReadTokens: n * contextEach,
  sampledRows: n,
  draftTokens: 0,
});

describe("catalog and model shapes", () => {
  it("derives the catalog's parameter counts and KV bytes from the config fields", () => {
    for (const raw of modelsJson as unknown as { hf_id: string; derived: { total_params: number; kv_cache_bytes_per_token_bf16: number } }[]) {
      const shape = modelShapeFromConfig(raw as unknown as Record<string, unknown>, raw.hf_id);
      expect(modelParams(shape).total / raw.derived.total_params, raw.hf_id).toBeCloseTo(1, 2);
      expect(kvBytesPerToken(shape, 2), raw.hf_id).toBe(raw.derived.kv_cache_bytes_per_token_bf16);
    }
    expect(listModels().length).toBe(14);
  });

  it("resolves short GPU ids and quantised model repos", () => {
    expect(listGpus().map((g) => g.id)).toContain("RTX-PRO-6000");
    expect(findGpu("h100-sxm").memBwGBps).toBe(3350);
    expect(findGpu("A100").id).toBe("A100-80G");
    expect(findGpu("V100").bf16Tflops).toBe(112); // no BF16 on Volta: the FP16 rate
    expect(() => findGpu("TPU-v5")).toThrow(/see `listGpus`/);
    expect(findModel("Qwen/Qwen3-32B-FP8")).toMatchObject({ catalogId: "Qwen/Qwen3-32B", impliedDtype: "fp8" });
    expect(findModel("Qwen/Qwen2.5-14B-Instruct-AWQ")).toMatchObject({ catalogId: "Qwen/Qwen2.5-14B-Instruct", impliedDtype: "awq" });
    expect(findModel("RedHatAI/Qwen3-32B-NVFP4")?.impliedDtype).toBe("nvfp4");
    expect(findModel("mistralai/Mistral-7B")).toBeUndefined();
  });

  it("reads ChatGLM-style and MoE configs", () => {
    const glm = modelShapeFromConfig(
      {
        num_layers: 40,
        hidden_size: 4096,
        ffn_hidden_size: 13696,
        num_attention_heads: 32,
        multi_query_group_num: 2,
        kv_channels: 128,
        padded_vocab_size: 151552,
        seq_length: 131072,
      },
      "glm",
    );
    expect([glm.layers, glm.kvHeads, glm.headDim, glm.maxPositions]).toEqual([40, 2, 128, 131072]);
    const moe = findModel("Qwen/Qwen3-30B-A3B")?.shape;
    expect(moe?.experts).toBe(128);
    if (moe !== undefined) expect(modelParams(moe).active / 1e9).toBeCloseTo(3.35, 1);
  });
});

describe("roofline step time", () => {
  const timing = (gpu: string, model: string, over: Partial<Parameters<typeof resolvePreset>[0]> = {}) =>
    resolvePreset({ gpu, model, ...over }, { blockSize: 16, maxModelLen: 8192 }).timing;

  it("decode at batch 8 on H100 ≈ weights / (0.85 × bandwidth) + ~2 ms (ML.ENERGY fit in SIMULATOR-NOTES)", () => {
    const t = timing("H100-SXM", "meta-llama/Llama-3.1-8B-Instruct");
    const weightsMs = (16.06e9 / (0.85 * 3350e9)) * 1000;
    const step = t.stepMs(decode(8, 1024));
    expect(step).toBeGreaterThan(weightsMs + 1.5);
    expect(step).toBeLessThan(weightsMs + 3);
  });

  it("is memory-bound for decode and compute-bound for a big prefill", () => {
    const t = timing("H100-SXM", "Qwen/Qwen3-8B");
    const one = t.breakdown(decode(1, 100));
    const many = t.breakdown(decode(64, 100));
    expect(many.linearMs / one.linearMs).toBeLessThan(1.3); // weights are read once per step
    const prefill = t.breakdown({
      ...decode(0, 0),
      running: 1,
      prefillTokens: 8192,
      prefillAttentionWork: 8192 * 4096,
      prefillContextTokens: 8192,
      sampledRows: 1,
    });
    // 2 × 8192 × 7.6e9 FLOPs at ~79 % of 989 TFLOPS ≈ 160 ms.
    expect(prefill.linearMs).toBeGreaterThan(120);
    expect(prefill.linearMs).toBeLessThan(220);
  });

  it("quantised weights and tensor parallelism shorten decode; TP adds all-reduce time", () => {
    const bf16 = timing("H100-SXM", "Qwen/Qwen3-32B").stepMs(decode(8, 1000));
    const fp8 = timing("H100-SXM", "Qwen/Qwen3-32B", { dtype: "fp8" }).stepMs(decode(8, 1000));
    const tp2 = timing("H100-SXM", "Qwen/Qwen3-32B", { tp: 2 });
    expect(fp8 / bf16).toBeGreaterThan(0.45);
    expect(fp8 / bf16).toBeLessThan(0.65);
    expect(tp2.stepMs(decode(8, 1000)) / bf16).toBeLessThan(0.7);
    expect(tp2.breakdown(decode(8, 1000)).commMs).toBeGreaterThan(0);
  });

  it("enforce-eager and the profile's overheads add to every step", () => {
    const eager = timing("H100-SXM", "Qwen/Qwen3-8B", { enforceEager: true }).breakdown(decode(1, 10));
    const perSeqMs = defaultProfile().perSeqOverheadMs;
    expect(eager.overheadMs).toBeCloseTo(2 + perSeqMs + 0.2 * 36, 5);
    const slow = timing("H100-SXM", "Qwen/Qwen3-8B", { profile: { stepOverheadMs: 10, perSeqOverheadMs: 0.25 } }).breakdown(decode(4, 10));
    expect(slow.overheadMs).toBeCloseTo(10 + 4 * 0.25, 5);
  });

  it("eager W8A8 launches an activation-quantisation kernel per linear layer: 16 kernels a layer instead of 12", () => {
    const eagerOverhead = (gpu: string, dtype: string, enforceEager = true): number =>
      timing(gpu, "Qwen/Qwen3-32B", { dtype, enforceEager }).breakdown(decode(1, 10)).overheadMs;
    const layers = 64;
    const launchMs = defaultProfile().eagerLayerOverheadMs;
    expect(eagerOverhead("H100-SXM", "fp8") - eagerOverhead("H100-SXM", "bf16")).toBeCloseTo((launchMs * layers * 4) / 12, 5);
    // AWQ is weight-only (16-bit activations); A100 has no FP8 tensor path, so FP8 runs weight-only there.
    expect(eagerOverhead("H100-SXM", "awq")).toBeCloseTo(eagerOverhead("H100-SXM", "bf16"), 5);
    expect(eagerOverhead("A100-80G", "fp8")).toBeCloseTo(eagerOverhead("A100-80G", "bf16"), 5);
    // With CUDA graphs there is no per-kernel CPU cost.
    expect(eagerOverhead("H100-SXM", "fp8", false)).toBeCloseTo(eagerOverhead("H100-SXM", "bf16", false), 5);
  });

  it("refuses tensor/pipeline splits vLLM refuses, naming the setting", () => {
    const limits = { blockSize: 16, maxModelLen: 4096 };
    // Qwen3-8B: 32 attention heads, 8 KV heads, 36 layers.
    expect(() => resolvePreset({ gpu: "H100-SXM", model: "Qwen/Qwen3-8B", tp: 3 }, limits)).toThrow(/^`tp` 3: .*32 attention heads/);
    expect(() => resolvePreset({ gpu: "H100-SXM", model: "Qwen/Qwen3-8B", pp: 37 }, limits)).toThrow(/^`pp` 37: .*only 36 layers/);
    // 16 divides the heads and is a multiple of the 8 KV heads (replicated): allowed, as in vLLM.
    expect(resolvePreset({ gpu: "H100-SXM", model: "Qwen/Qwen3-8B", tp: 16 }, limits).maxModelLen).toBe(4096);
    // Qwen3-0.6B: 16 heads, 8 KV heads: tp 4 divides both.
    expect(resolvePreset({ gpu: "H100-SXM", model: "Qwen/Qwen3-0.6B", tp: 4 }, limits).maxModelLen).toBe(4096);
  });

  it("speculative decoding with a draft model costs k draft passes", () => {
    const d = resolvePreset({ gpu: "H100-SXM", model: "Qwen/Qwen3-32B", draftModel: "Qwen/Qwen3-0.6B" }, { blockSize: 16, maxModelLen: 8192 })
      .timing as RooflineTiming;
    expect(d.breakdown({ ...decode(4, 100), decodeTokens: 16, draftTokens: 3 }).draftMs).toBeGreaterThan(0);
  });
});

describe("presets", () => {
  it("sizes the KV cache from memory, like vLLM, and refuses what does not fit", () => {
    const r = resolvePreset({ gpu: "RTX-PRO-6000", model: "Qwen/Qwen3-32B-FP8" }, { blockSize: 16, maxModelLen: 10928 });
    expect(r.deployment.dtype).toBe("fp8");
    expect(r.weightGbPerGpu).toBeGreaterThan(32);
    expect(r.weightGbPerGpu).toBeLessThan(36);
    expect(r.kvBlocks * 16).toBeGreaterThan(150_000); // ~50 GB of 256 KiB tokens
    expect([r.maxNumSeqs, r.maxNumBatchedTokens]).toEqual([1024, 8192]);
    expect(describePreset(r)).toContain("RTX-PRO-6000");
    expect(() => resolvePreset({ gpu: "A100-40G", model: "Qwen/Qwen3-32B" }, { blockSize: 16 })).toThrow(/no memory left/);
    expect(() => resolvePreset({ gpu: "RTX-4070", model: "Qwen/Qwen3-8B", dtype: "awq" }, { blockSize: 16 })).toThrow(/max seq len/);
    expect(resolvePreset({ gpu: "A100-40G", model: "Qwen/Qwen3-32B", tp: 2 }, { blockSize: 16, maxModelLen: 8192 }).kvBlocks).toBeGreaterThan(0);
    const a100 = resolvePreset({ gpu: "A100-80G", model: "Qwen/Qwen3-8B" }, { blockSize: 16 });
    expect([a100.maxNumSeqs, a100.maxNumBatchedTokens]).toEqual([256, 2048]); // vLLM keeps A100 on the small defaults
  });

  it("weights shrink with the dtype and shard with TP × PP", () => {
    const m = findModel("Qwen/Qwen3-8B")?.shape;
    if (m === undefined) throw new Error("catalog");
    const bf16 = weightBytesPerGpu({ model: m, dtype: "bf16", tp: 1, pp: 1 });
    expect(bf16 / 1e9).toBeCloseTo(16.4, 0);
    expect(weightBytesPerGpu({ model: m, dtype: "bf16", tp: 2, pp: 2 })).toBeCloseTo(bf16 / 4, 0);
    expect(weightBytesPerGpu({ model: m, dtype: "awq", tp: 1, pp: 1 }) / bf16).toBeLessThan(0.4);
  });

  it("validates profile overrides", () => {
    expect(mergeProfile(defaultProfile(), { memoryEfficiency: 0.7 }).memoryEfficiency).toBe(0.7);
    expect(() => mergeProfile(defaultProfile(), { memoryEfficiency: 1.5 })).toThrow(/memoryEfficiency/);
    expect(() => mergeProfile(defaultProfile(), { warpFactor: 9 })).toThrow(/warpFactor/);
    expect(defaultProfile(findGpu("B200")).memoryEfficiency).toBe(0.7);
  });
});

describe("default profile", () => {
  it("on ROCm, 16-bit steps wider than the skinny kernel's 4 rows stream weights at 1/1.4 of η_m through the vendor BLAS; CUDA has no split", () => {
    const linearMs = (gpu: string, rows: number, dtype = "fp16"): number =>
      resolvePreset({ gpu, model: "meta-llama/Llama-3.1-8B-Instruct", dtype }, { blockSize: 16, maxModelLen: 2048 }).timing.breakdown(decode(rows, 100))
        .linearMs;
    expect(findGpu("MI210").vendor).toBe("AMD");
    expect(defaultProfile(findGpu("MI300X")).blasDecodeEfficiency).toBeCloseTo(1 / 1.4, 10);
    expect(defaultProfile(findGpu("H100-PCIE")).blasDecodeEfficiency).toBe(1);
    // Memory-bound at 4 and 5 rows: the weight-streaming time is the step's linear time.
    expect(linearMs("MI210", 5) / linearMs("MI210", 4)).toBeCloseTo(1.4, 1);
    expect(linearMs("H100-PCIE", 5) / linearMs("H100-PCIE", 4)).toBeCloseTo(1, 2);
    // Up to 4 rows both stream at η_m: the time goes as the bandwidths (2,000 vs 1,638 GB/s).
    expect(linearMs("MI210", 4) / linearMs("H100-PCIE", 4)).toBeCloseTo(2000 / 1638.4, 2);
    expect(linearMs("MI210", 10) / linearMs("H100-PCIE", 10)).toBeCloseTo((1.4 * 2000) / 1638.4, 1);
    const wide = resolvePreset(
      { gpu: "MI210", model: "meta-llama/Llama-3.1-8B-Instruct", dtype: "fp16", profile: { skinnyGemmMaxRows: 16 } },
      { blockSize: 16, maxModelLen: 2048 },
    );
    expect(wide.timing.breakdown(decode(10, 100)).linearMs / linearMs("H100-PCIE", 10)).toBeCloseTo(2000 / 1638.4, 1);
    // Quantised weights run their own kernels (GPTQ/AWQ, FP8): no split.
    expect(linearMs("MI210", 5, "int4") / linearMs("MI210", 4, "int4")).toBeCloseTo(1, 2);
  });

  it("streams weights at 0.70 of peak bandwidth on every Blackwell part, 0.85 elsewhere", () => {
    expect(defaultProfile(findGpu("B200")).memoryEfficiency).toBe(0.7);
    expect(defaultProfile(findGpu("RTX-PRO-6000")).memoryEfficiency).toBe(0.7);
    expect(defaultProfile(findGpu("H100-SXM")).memoryEfficiency).toBe(0.85);
    expect(defaultProfile(findGpu("M4")).memoryEfficiency).toBe(0.85);
  });
});
