// Owns the physics model's tunable constants (efficiency factors, overheads): their defaults,
// with where each comes from, and reading/writing them as a JSON profile (--sim-profile FILE).

import { readFileSync } from "node:fs";
import { BenchError } from "../errors.js";
import type { GpuSpec } from "./catalog.js";

export interface SimProfile {
  /** η_m: fraction of peak HBM bandwidth that weight and KV streaming reaches. */
  memoryEfficiency: number;
  /** η_c: fraction of peak tensor FLOPS a compute-bound linear layer reaches. */
  gemmEfficiency: number;
  /** Optional extra small-batch penalty: GEMM efficiency × N / (N + this). 0 = none (the √ roofline already models the knee). */
  gemmHalfTokens: number;
  /** Most token rows a 16-bit linear layer's dedicated skinny (GEMV-like) kernel takes; wider steps go to the vendor BLAS. */
  skinnyGemmMaxRows: number;
  /** Fraction of η_m the vendor BLAS reaches streaming weights for steps wider than skinnyGemmMaxRows (1 = as the skinny kernel). */
  blasDecodeEfficiency: number;
  /** η_a: fraction of 16-bit peak FLOPS that attention (FlashAttention) reaches. */
  attentionEfficiency: number;
  /** α: latency of one tensor-parallel all-reduce, microseconds. */
  allReduceLatencyUs: number;
  /** η_n: fraction of the per-direction link bandwidth an all-reduce reaches. */
  linkEfficiency: number;
  /** Fixed CPU/launch cost of every engine step (scheduler, sampler, input prep), ms. */
  stepOverheadMs: number;
  /** Extra per-step cost per sequence in the batch (sampling, detokenisation, streaming), ms. */
  perSeqOverheadMs: number;
  /** With --enforce-eager (no CUDA graphs): kernel launch cost per layer per step, ms. */
  eagerLayerOverheadMs: number;
  /** With --enforce-eager: CPU time PyTorch takes to dispatch one layer's kernels, ms; overlaps the GPU's work (the GPU waits only for the excess). 0 for engines without Python dispatch. */
  eagerDispatchMsPerLayer: number;
  /** Fixed API-server cost from arrival until the engine sees the request, ms. */
  frontendMs: number;
  /** API-server tokenisation cost per prompt token, microseconds. */
  tokenizeUsPerToken: number;
  /** Pipeline parallel: per step and stage boundary, handing the intermediate tensors to the next stage's worker process, ms. */
  pipelineStageOverheadMs: number;
  /** Speculative decoding with a draft model: fixed cost of each draft forward pass (launch, sampling the proposal), ms. */
  draftPassOverheadMs: number;
}

export const PROFILE_KEYS = [
  "memoryEfficiency",
  "gemmEfficiency",
  "gemmHalfTokens",
  "skinnyGemmMaxRows",
  "blasDecodeEfficiency",
  "attentionEfficiency",
  "allReduceLatencyUs",
  "linkEfficiency",
  "stepOverheadMs",
  "perSeqOverheadMs",
  "eagerLayerOverheadMs",
  "eagerDispatchMsPerLayer",
  "frontendMs",
  "tokenizeUsPerToken",
  "pipelineStageOverheadMs",
  "draftPassOverheadMs",
] as const satisfies readonly (keyof SimProfile)[];

/**
 * Defaults from the shared SIMULATOR-NOTES.md (Vidur profiles, ML.ENERGY residuals, NCCL tests):
 * η_m 0.85 (0.70 on B200, which we apply to every Blackwell part: same memory controllers and
 * kernel maturity), GEMM 0.75 (70–77 % at ≥512 tokens; the knee at ~128 comes from the
 * √(t_c² + t_m²) combination in roofline.ts), η_a 0.55,
 * α 15 µs on NVLink (60 µs over PCIe: seed 003's 2 × H100 PCIe with TP 2 ran 13 % slower than one
 * GPU at 10 streams, which 30 µs cannot explain), η_n 0.7 (0.3 over PCIe), ~2 ms fixed step overhead on
 * H100 (3 ms on B200). Eager launch cost is 0.2 ms per layer: what seed 002's vLLM.rs decode
 * speeds imply (A100, no CUDA graphs: time per token nearly independent of the weight size,
 * ≈0.2 ms × layers on top of the weight streaming). vLLM's eager mode adds Python dispatch, 0.33 ms
 * per layer, hidden behind the GPU's work when that is longer: seed 003's Llama-3.2-3B ran at ~575
 * tokens/s on 10 streams on one H100 PCIe, one V100 and one MI210 alike (2.2× apart in bandwidth),
 * so its steps were CPU-bound at ~17 ms (in-sample: the constant was read off that seed). Pipeline
 * hand-off 5 ms per stage boundary per step: the same seed's 2 pipeline stages ran 22 % slower than
 * one GPU at 10 streams, where the roofline alone predicts no change. Per-sequence CPU cost 0.05 ms: inside the published
 * bracket, from vLLM V1's scheduler alone (~13 µs per request) to vLLM V0's whole between-step
 * work (~20 ms at 200 sequences, vLLM RFC #6801); docs/simulator.md says how seed 001 led to it.
 * A draft model's forward pass pays a whole step's fixed cost: vLLM ran draft-model speculation on
 * its V0 engine until late 2025 (V1 gained it in PR #24322), where each proposal pass is a full
 * model-runner call (input preparation, graph launch, sampling). API-server costs are our own estimates.
 *
 * On AMD GPUs (ROCm) vLLM sends a 16-bit linear layer to its own skinny kernel (wvSplitK) only while
 * the step has at most 4 token rows (`rocm_unquantized_gemm` in vllm/model_executor/layers/utils.py;
 * V0 took fewer than 4); wider decode steps go to rocBLAS/hipBLASLt, whose tiles are sized for larger
 * M. AMD's own comparison on MI300X (ROCm/rocm-libraries PR #12329: hipBLASLt against wvSpltK at M ≤ 4)
 * has hipBLASLt 1.37–1.66× slower on layer shapes the size of an 8B model's (N 4096–13312, K 8896–13312),
 * so those steps stream weights at 1 / 1.4 ≈ 0.71 of η_m. NVIDIA's cuBLAS has no such split (1).
 */
export function defaultProfile(gpu?: GpuSpec): SimProfile {
  const b200 = gpu?.id === "B200";
  const blackwell = b200 || /^blackwell/i.test(gpu?.architecture ?? "");
  const pcie = gpu?.pcieOnly ?? false;
  const rocm = gpu?.vendor === "AMD";
  return {
    memoryEfficiency: blackwell ? 0.7 : 0.85,
    gemmEfficiency: 0.75,
    gemmHalfTokens: 0,
    skinnyGemmMaxRows: 4,
    blasDecodeEfficiency: rocm ? 1 / 1.4 : 1,
    attentionEfficiency: 0.55,
    allReduceLatencyUs: pcie ? 60 : 15,
    linkEfficiency: pcie ? 0.3 : 0.7,
    stepOverheadMs: b200 ? 3 : 2,
    perSeqOverheadMs: 0.05,
    eagerLayerOverheadMs: 0.2,
    eagerDispatchMsPerLayer: 0.33,
    frontendMs: 2,
    tokenizeUsPerToken: 2,
    pipelineStageOverheadMs: 5,
    draftPassOverheadMs: b200 ? 3 : 2,
  };
}

/** Overlays a partial profile, validating each value (all must be finite and >= 0, efficiencies <= 1); `file` names their source in errors. */
export function mergeProfile(base: SimProfile, overrides: Partial<Record<string, unknown>>, file?: string): SimProfile {
  const at = `\`profile\`${file === undefined ? "" : ` ${file}`}`;
  const out: SimProfile = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (key === "$comment" || key === "fitted" || key === "source") continue;
    if (!(PROFILE_KEYS as readonly string[]).includes(key)) {
      throw new BenchError("E_BAD_CONFIG", `${at}: unknown constant "${key}" (known: ${PROFILE_KEYS.join(", ")})`, { where: "profile" });
    }
    const isEfficiency = key.endsWith("Efficiency");
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (isEfficiency && (value <= 0 || value > 1))) {
      throw new BenchError("E_BAD_CONFIG", `${at}: ${key} must be a number ${isEfficiency ? "in (0, 1]" : ">= 0"}, got ${JSON.stringify(value)}`, {
        where: "profile",
      });
    }
    out[key as keyof SimProfile] = value;
  }
  return out;
}

/** Reads a profile file: `{ "memoryEfficiency": 0.8, ... }` or a calibrate output with a `profile` field. */
export function readProfileFile(path: string): Partial<SimProfile> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new BenchError("E_IO", `\`profile\`: cannot read ${path}: ${(cause as Error).message}`, { where: "profile", cause });
  }
  const obj = json as Record<string, unknown>;
  const profile = typeof obj["profile"] === "object" && obj["profile"] !== null ? obj["profile"] : obj;
  if (typeof profile !== "object" || profile === null || Array.isArray(profile)) {
    throw new BenchError("E_BAD_CONFIG", `\`profile\`: ${path} must hold a JSON object`, { where: "profile" });
  }
  mergeProfile(defaultProfile(), profile as Record<string, unknown>, path); // validates
  const out: Partial<SimProfile> = {};
  for (const key of PROFILE_KEYS) {
    const value = (profile as Record<string, unknown>)[key];
    if (typeof value === "number") out[key] = value;
  }
  return out;
}
