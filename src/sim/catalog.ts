// Owns the built-in GPU and model catalog (copied from /work/shared/catalog, see catalog/README.md):
// short GPU ids, model lookup by Hugging Face id (quantised repos map to their base model), listings.

import { BenchError } from "../errors.js";
import gpusJson from "./catalog/gpus.json" with { type: "json" };
import modelsJson from "./catalog/models.json" with { type: "json" };
import type { WeightDtype } from "./dtypes.js";
import { modelShapeFromConfig } from "./model-shape.js";
import type { ModelShape } from "./model-shape.js";

/** Peak figures of one accelerator (dense TFLOPS; bandwidths in gigaBYTES per second). */
export interface GpuSpec {
  id: string;
  name: string;
  memoryGb: number;
  memBwGBps: number;
  bf16Tflops: number;
  fp8Tflops: number | null;
  fp4Tflops: number | null;
  /** GPU-to-GPU bandwidth per direction (NVLink, Infinity Fabric, or PCIe when that is all there is). */
  linkGBpsPerDirection: number;
  /** True when GPUs talk over PCIe only (higher all-reduce latency, lower efficiency). */
  pcieOnly: boolean;
  /** The catalog's architecture text ("Blackwell (GB202, sm_120), …"): some default efficiencies depend on it. */
  architecture?: string;
  /** The catalog's vendor ("NVIDIA", "AMD", "Apple"): which kernel libraries the engine runs on (ROCm on AMD). */
  vendor?: string;
}

interface RawGpu {
  name: string;
  vendor?: string;
  architecture?: string;
  memory_gb: number;
  mem_bw_gbps: number;
  bf16_tflops: number | null;
  fp16_tflops: number | null;
  fp8_tflops: number | null;
  fp4_tflops: number | null;
  interconnect: string;
  interconnect_gbps_per_direction: number | null;
}

/** Short ids users type → catalog names. */
const GPU_IDS: Record<string, string> = {
  V100: "NVIDIA V100 16GB PCIe",
  "A100-40G": "NVIDIA A100 40GB SXM",
  "A100-80G": "NVIDIA A100 80GB SXM",
  "H100-SXM": "NVIDIA H100 80GB SXM",
  "H100-PCIE": "NVIDIA H100 80GB PCIe",
  H200: "NVIDIA H200 141GB SXM",
  B200: "NVIDIA B200 (HGX/DGX B200)",
  "RTX-PRO-6000": "NVIDIA RTX PRO 6000 Blackwell (96GB)",
  "RTX-4070": "NVIDIA GeForce RTX 4070",
  MI210: "AMD Instinct MI210",
  M4: "Apple M4 (10-core GPU, unified memory)",
  "RTX-5090": "NVIDIA GeForce RTX 5090",
  "V100-32G": "NVIDIA V100 32GB SXM2",
  "V100-32G-PCIE": "NVIDIA V100 32GB PCIe",
  L4: "NVIDIA L4",
  L40S: "NVIDIA L40S",
  A10G: "NVIDIA A10G",
  "RTX-4090": "NVIDIA GeForce RTX 4090",
  "RTX-6000-ADA": "NVIDIA RTX 6000 Ada Generation",
  H20: "NVIDIA H20",
  MI300X: "AMD Instinct MI300X",
  "M4-PRO": "Apple M4 Pro (20-core GPU, unified memory)",
  "M4-MAX": "Apple M4 Max (40-core GPU, unified memory)",
  "M3-ULTRA": "Apple M3 Ultra (80-core GPU, unified memory)",
  "M2-ULTRA": "Apple M2 Ultra (76-core GPU, unified memory)",
};
const GPU_ALIASES: Record<string, string> = {
  A100: "A100-80G",
  H100: "H100-SXM",
  "RTX-6000-PRO": "RTX-PRO-6000",
  "RTX-PRO-6000-BSE": "RTX-PRO-6000",
  "V100-SXM2-32G": "V100-32G",
  "V100-16G": "V100",
  "RTX-6000-ADA-GENERATION": "RTX-6000-ADA",
};

export function gpuFromRaw(id: string, raw: RawGpu): GpuSpec {
  const bf16 = raw.bf16_tflops ?? raw.fp16_tflops;
  if (bf16 === null || !(raw.mem_bw_gbps > 0) || !(raw.memory_gb > 0)) {
    throw new BenchError("E_BAD_CONFIG", `GPU ${id}: needs memory_gb, mem_bw_gbps and bf16_tflops or fp16_tflops`, { where: "gpu" });
  }
  const pcieOnly = /pcie/i.test(raw.interconnect) && !/nvlink \d|infinity fabric/i.test(raw.interconnect.split(";")[0] ?? "");
  return {
    id,
    name: raw.name,
    memoryGb: raw.memory_gb,
    memBwGBps: raw.mem_bw_gbps,
    bf16Tflops: bf16,
    fp8Tflops: raw.fp8_tflops,
    fp4Tflops: raw.fp4_tflops,
    linkGBpsPerDirection: raw.interconnect_gbps_per_direction ?? 16,
    pcieOnly,
    ...(raw.architecture === undefined ? {} : { architecture: raw.architecture }),
    ...(raw.vendor === undefined ? {} : { vendor: raw.vendor }),
  };
}

const RAW_GPUS = gpusJson as unknown as RawGpu[];

export function listGpus(): GpuSpec[] {
  return Object.entries(GPU_IDS).map(([id, name]) => gpuFromRaw(id, RAW_GPUS.find((g) => g.name === name) as RawGpu));
}

/** By short id (case-insensitive, `_` or `-`) or by the catalog's full name. */
export function findGpu(idOrName: string): GpuSpec {
  const key = idOrName.trim().toUpperCase().replace(/[_ ]/g, "-");
  const id = GPU_IDS[key] !== undefined ? key : GPU_ALIASES[key];
  if (id !== undefined) return gpuFromRaw(id, RAW_GPUS.find((g) => g.name === GPU_IDS[id]) as RawGpu);
  const raw = RAW_GPUS.find((g) => g.name.toLowerCase() === idOrName.trim().toLowerCase());
  if (raw !== undefined) return gpuFromRaw(raw.name, raw);
  throw new BenchError("E_BAD_FLAG", `\`gpu\`: unknown GPU "${idOrName}" (known: ${Object.keys(GPU_IDS).join(", ")}; see \`listGpus\`)`, {
    where: "gpu",
  });
}

interface RawModel extends Record<string, unknown> {
  hf_id: string;
  verified: boolean;
}
const RAW_MODELS = modelsJson as unknown as RawModel[];

export interface CatalogModel {
  shape: ModelShape;
  /** The catalog entry the id resolved to. */
  catalogId: string;
  /** Weight format implied by the repo name (…-FP8, …-AWQ, …-GPTQ-Int4, …-NVFP4), if any. */
  impliedDtype: WeightDtype | undefined;
  verified: boolean;
}

export function listModels(): CatalogModel[] {
  return RAW_MODELS.map((raw) => ({ shape: modelShapeFromConfig(raw, raw.hf_id), catalogId: raw.hf_id, impliedDtype: undefined, verified: raw.verified }));
}

const QUANT_SUFFIXES: [RegExp, WeightDtype][] = [
  [/-fp8(-dynamic)?$/i, "fp8"],
  [/-awq$/i, "awq"],
  [/-gptq-int4$/i, "gptq"],
  [/-gptq-int8$/i, "int8"],
  [/-int4$/i, "int4"],
  [/-w4a16$/i, "int4"],
  [/-w8a8$/i, "int8"],
  [/-nvfp4$/i, "nvfp4"],
  [/-gguf$/i, "q4_k_m"],
];

/**
 * Finds a catalog model by HF id. Quantised repos resolve to their base (Qwen/Qwen3-32B-FP8 →
 * Qwen/Qwen3-32B with fp8 implied); the organisation may differ (RedHatAI/Qwen3-32B-NVFP4).
 */
export function findModel(hfId: string): CatalogModel | undefined {
  let base = hfId.trim().split("/").pop() ?? "";
  let impliedDtype: WeightDtype | undefined;
  for (const [pattern, dtype] of QUANT_SUFFIXES) {
    if (pattern.test(base)) {
      base = base.replace(pattern, "");
      impliedDtype = dtype;
      break;
    }
  }
  const lower = base.toLowerCase();
  const strip = (id: string): string => (id.split("/").pop() ?? id).toLowerCase();
  const raw =
    RAW_MODELS.find((m) => m.hf_id.toLowerCase() === hfId.trim().toLowerCase()) ??
    RAW_MODELS.find((m) => strip(m.hf_id) === lower) ??
    RAW_MODELS.find((m) => strip(m.hf_id).replace(/-(instruct|chat)$/, "") === lower.replace(/-(instruct|chat)$/, ""));
  if (raw === undefined) return undefined;
  return { shape: { ...modelShapeFromConfig(raw, hfId), id: hfId }, catalogId: raw.hf_id, impliedDtype, verified: raw.verified };
}
