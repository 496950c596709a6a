// Owns turning a preset (GPU id × model × dtype × parallelism × memory settings) into an engine
// configuration: the roofline TimingModel, the KV cache size in blocks and vLLM's scheduler defaults.
// Throws BenchError naming the setting (`tp`, `maxModelLen`, …) when the model does not fit, as vLLM refuses to start.

import { BenchError } from "../errors.js";
import { findGpu, findModel } from "./catalog.js";
import type { GpuSpec } from "./catalog.js";
import { parseKvDtype, parseWeightDtype } from "./dtypes.js";
import type { KvDtype, WeightDtype } from "./dtypes.js";
import { kvBytesPerToken, modelShapeFromConfig } from "./model-shape.js";
import type { ModelShape } from "./model-shape.js";
import { RooflineTiming, weightBytesPerGpu } from "./roofline.js";
import type { Deployment } from "./roofline.js";
import { defaultProfile, mergeProfile } from "./sim-profile.js";
import type { SimProfile } from "./sim-profile.js";

export interface PresetOptions {
  /** Short id (H100-SXM, A100-80G, B200, RTX-PRO-6000, …) or a GpuSpec (custom hardware). */
  gpu: string | GpuSpec;
  /** Hugging Face id found in the catalog (Qwen/Qwen3-32B, Qwen/Qwen3-32B-FP8, …); ignored with modelConfig. */
  model?: string | undefined;
  /** A parsed Hugging Face config.json for a model outside the catalog. */
  modelConfig?: Record<string, unknown> | undefined;
  /** Weight format. @defaultValue implied by the repo name or quantization_config, else bf16 */
  dtype?: WeightDtype | string | undefined;
  /** @defaultValue "auto" (16-bit) */
  kvDtype?: KvDtype | string | undefined;
  /** @defaultValue 1 */
  tp?: number | undefined;
  /** @defaultValue 1 */
  pp?: number | undefined;
  /** @defaultValue 0.9 */
  gpuMemoryUtilization?: number | undefined;
  /** @defaultValue false */
  enforceEager?: boolean | undefined;
  /** Overrides of the efficiency constants (see sim-profile.ts). */
  profile?: Partial<SimProfile> | undefined;
  /** Speculative decoding's draft model (catalog id); absent = free drafting. */
  draftModel?: string | undefined;
}

export interface ResolvedPreset {
  deployment: Deployment;
  timing: RooflineTiming;
  /** KV cache blocks per GPU (each holds blockSize tokens of every layer the GPU owns). */
  kvBlocks: number;
  maxModelLen: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  weightGbPerGpu: number;
  kvGbPerGpu: number;
}

export interface PresetLimits {
  maxModelLen?: number | undefined;
  maxNumSeqs?: number | undefined;
  maxNumBatchedTokens?: number | undefined;
  blockSize: number;
}

const GIB = 2 ** 30;

function resolveModel(p: PresetOptions): { shape: ModelShape; implied: WeightDtype | undefined } {
  if (p.modelConfig !== undefined) {
    const shape = modelShapeFromConfig(p.modelConfig, p.model ?? "custom-model");
    const q = shape.quantMethod?.toLowerCase();
    const implied: WeightDtype | undefined = q === "awq" ? "awq" : q === "gptq" ? "gptq" : q === "fp8" ? "fp8" : undefined;
    return { shape, implied };
  }
  if (p.model === undefined) throw new BenchError("E_BAD_FLAG", "`model`: a preset needs a catalog model id or `modelConfig`", { where: "model" });
  const found = findModel(p.model);
  if (found === undefined) {
    throw new BenchError("E_BAD_FLAG", `\`model\`: "${p.model}" is not in the catalog (see \`listModels\`, or pass \`modelConfig\` PATH)`, { where: "model" });
  }
  return { shape: found.shape, implied: found.impliedDtype };
}

function positiveInt(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new BenchError("E_BAD_FLAG", `\`${field}\`: must be a positive integer, got ${String(v)}`, { where: field });
  return v;
}

/** vLLM's own checks: TP must divide the attention heads, and divide the KV heads or be a multiple of them (replicated); PP at most one stage per layer. */
function checkParallel(model: ModelShape, tp: number, pp: number): void {
  if (model.heads % tp !== 0) {
    throw new BenchError(
      "E_BAD_FLAG",
      `\`tp\` ${tp}: ${model.id} has ${model.heads} attention heads, which must be divisible by the tensor-parallel size (vLLM refuses this too)`,
      { where: "tp" },
    );
  }
  if (model.kvHeads % tp !== 0 && tp % model.kvHeads !== 0) {
    throw new BenchError(
      "E_BAD_FLAG",
      `\`tp\` ${tp}: ${model.id} has ${model.kvHeads} KV heads; the tensor-parallel size must divide them or be a multiple of them`,
      { where: "tp" },
    );
  }
  if (pp > model.layers) {
    throw new BenchError("E_BAD_FLAG", `\`pp\` ${pp}: ${model.id} has only ${model.layers} layers to split into pipeline stages`, { where: "pp" });
  }
}

/**
 * Sizes the KV cache like vLLM: GPU memory × gpu_memory_utilization − weights − activations
 * (profiled peak for max_num_batched_tokens and the sampler's logits) − ~1.5 GiB of CUDA
 * context, graphs and NCCL buffers. Vendor "GB" is treated as GiB (nvidia-smi shows 79.6 GiB on an H100 80GB).
 */
export function resolvePreset(p: PresetOptions, limits: PresetLimits): ResolvedPreset {
  const gpu = typeof p.gpu === "string" ? findGpu(p.gpu) : p.gpu;
  const { shape: model, implied } = resolveModel(p);
  const dtype = p.dtype === undefined ? (implied ?? "bf16") : parseWeightDtype(p.dtype);
  const kvDtype = p.kvDtype === undefined ? "auto" : parseKvDtype(p.kvDtype);
  const tp = positiveInt(p.tp, 1, "tp");
  const pp = positiveInt(p.pp, 1, "pp");
  checkParallel(model, tp, pp);
  const util = p.gpuMemoryUtilization ?? 0.9;
  if (!(util > 0 && util <= 1))
    throw new BenchError("E_BAD_FLAG", `\`gpuMemoryUtilization\`: must be in (0, 1], got ${util}`, { where: "gpuMemoryUtilization" });
  const profile = mergeProfile(defaultProfile(gpu), p.profile ?? {});
  const draft = p.draftModel === undefined ? undefined : resolveModel({ gpu, model: p.draftModel });
  const draftModel = draft?.shape;
  // A quantised draft repo (Qwen/Qwen3-14B-AWQ) runs in its own format, else in the target's.
  const draftDtype = draft === undefined ? undefined : (draft.implied ?? dtype);
  const deployment: Deployment = { gpu, model, dtype, kvDtype, tp, pp, enforceEager: p.enforceEager ?? false, profile, draftModel, draftDtype };
  const bigGpu = gpu.memoryGb >= 70 && !gpu.id.startsWith("A100");
  const maxNumSeqs = positiveInt(limits.maxNumSeqs, bigGpu ? 1024 : 256, "maxNumSeqs");
  const maxModelLen = positiveInt(limits.maxModelLen, model.maxPositions, "maxModelLen");
  const maxNumBatchedTokens = positiveInt(limits.maxNumBatchedTokens, Math.max(bigGpu ? 8192 : 2048, maxNumSeqs), "maxNumBatchedTokens");
  const weightBytes =
    weightBytesPerGpu(deployment) + (draftModel === undefined ? 0 : weightBytesPerGpu({ ...deployment, model: draftModel, dtype: draftDtype ?? dtype }));
  const ffn = model.experts > 0 ? model.expertsPerToken * model.moeIntermediate : model.intermediate;
  const activationBytes = maxNumBatchedTokens * (6 * model.hidden + (4 * ffn) / tp) * 2 + (maxNumSeqs * model.vocab * 4) / tp;
  const budget = gpu.memoryGb * GIB * util - weightBytes - activationBytes - 1.5 * GIB;
  const gb = (bytes: number): string => (bytes / 1e9).toFixed(1);
  if (budget <= 0) {
    throw new BenchError(
      "E_BAD_CONFIG",
      `${model.id} (${dtype}) needs ${gb(weightBytes)} GB of weights per GPU on ${gpu.id} with tp=${tp} pp=${pp}: no memory left for the KV cache ` +
        `(${gpu.memoryGb} GB × ${util}); raise \`tp\`/\`pp\` or \`gpuMemoryUtilization\`, or use a smaller \`dtype\``,
      { where: "gpu" },
    );
  }
  // A draft model keeps its own KV cache for every token, in the same blocks: fewer tokens fit.
  const kvElementBytes = kvDtype === "fp8" ? 1 : 2;
  const perToken = kvBytesPerToken(model, kvElementBytes, tp, pp) + (draftModel === undefined ? 0 : kvBytesPerToken(draftModel, kvElementBytes, tp, pp));
  const kvBlocks = Math.floor(budget / (perToken * limits.blockSize));
  if (kvBlocks * limits.blockSize < maxModelLen) {
    throw new BenchError(
      "E_BAD_CONFIG",
      `the model's max seq len (${maxModelLen}) is larger than the maximum number of tokens that can be stored in KV cache ` +
        `(${kvBlocks * limits.blockSize}); lower \`maxModelLen\` or raise \`gpuMemoryUtilization\`, \`tp\` or \`pp\``,
      { where: "maxModelLen" },
    );
  }
  return {
    deployment,
    timing: new RooflineTiming(deployment),
    kvBlocks,
    maxModelLen,
    maxNumSeqs,
    maxNumBatchedTokens,
    weightGbPerGpu: weightBytes / 1e9,
    kvGbPerGpu: (kvBlocks * limits.blockSize * perToken) / 1e9,
  };
}

/** One line describing the deployment, for the simulate banner and summaries. */
export function describePreset(r: ResolvedPreset): string {
  const d = r.deployment;
  const kv = d.kvDtype === "auto" ? "" : ` kv ${d.kvDtype}`;
  return (
    `${d.model.id} ${d.dtype}${kv} on ${d.gpu.id} tp=${d.tp} pp=${d.pp}${d.enforceEager ? " eager" : ""}: ` +
    `${r.weightGbPerGpu.toFixed(1)} GB weights/GPU, KV ${r.kvBlocks} blocks (${r.kvGbPerGpu.toFixed(1)} GB), ` +
    `max_model_len ${r.maxModelLen}, max_num_seqs ${r.maxNumSeqs}, max_num_batched_tokens ${r.maxNumBatchedTokens}`
  );
}
