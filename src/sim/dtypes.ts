// Owns the weight and KV-cache data types the physics model knows: bits stored per weight (with
// quantisation scales), the tensor-core path the matmuls run on, and the KV bytes per element.

import { BenchError } from "../errors.js";

export type WeightDtype = "bf16" | "fp16" | "fp8" | "int8" | "int4" | "awq" | "gptq" | "nvfp4" | "q8_0" | "q6_k" | "q4_k_m" | "q4_k" | "q2_k";
export type KvDtype = "auto" | "bf16" | "fp16" | "fp8";
/** Which peak of the GPU a linear layer runs at. Weight-only formats dequantise to 16 bit. */
export type ComputePath = "fp16" | "fp8" | "int8" | "fp4";

export interface DtypeInfo {
  /** Stored bits per linear-layer weight, scales and zero points included. */
  bitsPerWeight: number;
  /** Bits per lm_head / embedding weight (quantised checkpoints usually keep these wider). */
  headBits: number;
  compute: ComputePath;
  /** Needs a GPU with this tensor path; without it the weights stay small but compute falls back to 16 bit. */
  note: string;
}

/**
 * Group-quantised int4 (AWQ/GPTQ, group 128) stores a 16-bit scale and a 4-bit zero per 128
 * weights (≈ 4.16 bits); GGUF k-quant sizes are llama.cpp's block layouts (Q4_K_M mixes in Q6_K).
 */
export const WEIGHT_DTYPES: Record<WeightDtype, DtypeInfo> = {
  bf16: { bitsPerWeight: 16, headBits: 16, compute: "fp16", note: "16-bit weights and matmuls" },
  fp16: { bitsPerWeight: 16, headBits: 16, compute: "fp16", note: "16-bit weights and matmuls" },
  fp8: { bitsPerWeight: 8, headBits: 16, compute: "fp8", note: "W8A8 FP8 (weight-only Marlin on GPUs without FP8)" },
  int8: { bitsPerWeight: 8, headBits: 16, compute: "int8", note: "W8A8 INT8" },
  int4: { bitsPerWeight: 4.16, headBits: 16, compute: "fp16", note: "4-bit group-quantised, 16-bit compute (Marlin)" },
  awq: { bitsPerWeight: 4.16, headBits: 16, compute: "fp16", note: "AWQ 4-bit, 16-bit compute (Marlin)" },
  gptq: { bitsPerWeight: 4.16, headBits: 16, compute: "fp16", note: "GPTQ 4-bit, 16-bit compute (Marlin)" },
  nvfp4: { bitsPerWeight: 4.5, headBits: 16, compute: "fp4", note: "NVFP4 (FP4 + FP8 scale per 16); FP4 tensor cores on Blackwell" },
  q8_0: { bitsPerWeight: 8.5, headBits: 8.5, compute: "fp16", note: "GGUF Q8_0" },
  q6_k: { bitsPerWeight: 6.56, headBits: 6.56, compute: "fp16", note: "GGUF Q6_K" },
  q4_k_m: { bitsPerWeight: 4.85, headBits: 6.56, compute: "fp16", note: "GGUF Q4_K_M (Q4_K with some Q6_K tensors)" },
  q4_k: { bitsPerWeight: 4.5, headBits: 6.56, compute: "fp16", note: "GGUF Q4_K / ISQ Q4K" },
  q2_k: { bitsPerWeight: 3.0, headBits: 6.56, compute: "fp16", note: "GGUF Q2_K (mixed with Q3_K/Q4_K tensors)" },
};

export const WEIGHT_DTYPE_NAMES = Object.keys(WEIGHT_DTYPES) as WeightDtype[];
export const KV_DTYPE_NAMES: readonly KvDtype[] = ["auto", "bf16", "fp16", "fp8"];

/** Bytes per KV element: "auto" follows the model's 16-bit activations, as vLLM does. */
export function kvBytesPerElement(kv: KvDtype): number {
  return kv === "fp8" ? 1 : 2;
}

export function parseWeightDtype(value: string, where = "dtype"): WeightDtype {
  const v = value.toLowerCase().replace(/-/g, "_");
  const alias: Record<string, WeightDtype> = { bfloat16: "bf16", float16: "fp16", half: "fp16", auto: "bf16", w4a16: "int4", fp4: "nvfp4" };
  const found = alias[v] ?? (v in WEIGHT_DTYPES ? (v as WeightDtype) : undefined);
  if (found === undefined) {
    throw new BenchError("E_BAD_FLAG", `\`${where}\`: "${value}" is not one of ${WEIGHT_DTYPE_NAMES.join(", ")}`, { where });
  }
  return found;
}

export function parseKvDtype(value: string, where = "kvDtype"): KvDtype {
  const v = value.toLowerCase();
  const found = v === "fp8_e4m3" || v === "fp8_e5m2" ? "fp8" : KV_DTYPE_NAMES.find((k) => k === v);
  if (found === undefined) throw new BenchError("E_BAD_FLAG", `\`${where}\`: "${value}" is not one of ${KV_DTYPE_NAMES.join(", ")}`, { where });
  return found;
}
