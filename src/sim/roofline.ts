// Owns the physics TimingModel: the roofline step time of SIMULATOR-NOTES.md for one GPU × model ×
// weight/KV dtype × tensor/pipeline parallel degree, with the SimProfile's efficiencies and overheads.
// Pure arithmetic on StepContext; never touches clocks or requests.

import type { GpuSpec } from "./catalog.js";
import { WEIGHT_DTYPES, kvBytesPerElement } from "./dtypes.js";
import type { KvDtype, WeightDtype } from "./dtypes.js";
import { expertsTouched, kvBytesPerToken, modelParams } from "./model-shape.js";
import type { ModelParams, ModelShape } from "./model-shape.js";
import type { SimProfile } from "./sim-profile.js";
import type { StepContext, TimingModel, TtftContext } from "./timing.js";

export interface Deployment {
  gpu: GpuSpec;
  model: ModelShape;
  dtype: WeightDtype;
  kvDtype: KvDtype;
  /** Tensor-parallel degree (GPUs sharing every layer). */
  tp: number;
  /** Pipeline-parallel degree (GPUs holding consecutive layer ranges). */
  pp: number;
  /** No CUDA graphs: every step pays a kernel-launch cost per layer. */
  enforceEager: boolean;
  profile: SimProfile;
  /** Speculative decoding's draft model (same GPU, dtype); absent = free drafting (n-gram). */
  draftModel?: ModelShape | undefined;
  /** The draft's weight format. @defaultValue dtype */
  draftDtype?: WeightDtype | undefined;
}

/** The step-time terms in ms, for `explain` output and tests. */
export interface StepBreakdown {
  linearMs: number;
  attentionMs: number;
  commMs: number;
  overheadMs: number;
  /** Eager mode: how long the GPU waits for PyTorch to dispatch the step's kernels, beyond its own work (0 when the GPU is the slower side). */
  dispatchMs: number;
  draftMs: number;
  totalMs: number;
}

/** Peak TFLOPS the linear layers of this dtype run at on this GPU (weight-only fallback when the path is missing). */
export function linearPeakTflops(gpu: GpuSpec, dtype: WeightDtype): number {
  switch (WEIGHT_DTYPES[dtype].compute) {
    case "fp8":
      return gpu.fp8Tflops ?? gpu.bf16Tflops;
    case "int8":
      return gpu.fp8Tflops ?? 2 * gpu.bf16Tflops;
    case "fp4":
      return gpu.fp4Tflops ?? gpu.fp8Tflops ?? gpu.bf16Tflops;
    default:
      return gpu.bf16Tflops;
  }
}

/**
 * Kernels vLLM launches per decoder layer in eager mode with 16-bit weights (Qwen3/Llama): RMSNorm
 * (fused with the residual add), QKV GEMM, q/k norms (Qwen3), rotary, KV-cache write, attention, O
 * GEMM, RMSNorm, gate_up GEMM, SiLU-and-mul, down GEMM: about 12. The eager per-layer costs are per
 * layer of these; a layer that launches more kernels pays proportionally more.
 */
const EAGER_KERNELS_PER_LAYER = 12;
/** Linear layers per decoder layer: QKV, O, gate_up, down (vLLM fuses q/k/v and gate/up). */
const LINEARS_PER_LAYER = 4;

/**
 * Whether the linear layers quantise their activations (W8A8 FP8 or INT8, W4A4 NVFP4) on this GPU:
 * then every linear layer is preceded by a dynamic activation-quantisation kernel. Without the tensor
 * path the weights run weight-only (Marlin) and the activations stay 16-bit.
 */
export function quantizesActivations(gpu: GpuSpec, dtype: WeightDtype): boolean {
  switch (WEIGHT_DTYPES[dtype].compute) {
    case "fp8":
      return gpu.fp8Tflops !== null;
    case "int8":
      return true;
    case "fp4":
      return gpu.fp4Tflops !== null;
    default:
      return false;
  }
}

/**
 * Eager kernel launches per layer relative to a 16-bit layer: W8A8/W4A4 adds one activation-quantisation
 * kernel per linear layer. With CUDA graphs (and torch.compile, which fuses the quantisation into the
 * preceding RMSNorm) there is no per-kernel CPU cost, so this only scales the eager costs; vLLM turns
 * compilation off with --enforce-eager (optimisation level -O0).
 */
export function eagerKernelFactor(gpu: GpuSpec, dtype: WeightDtype): number {
  return quantizesActivations(gpu, dtype) ? (EAGER_KERNELS_PER_LAYER + LINEARS_PER_LAYER) / EAGER_KERNELS_PER_LAYER : 1;
}

/** Bytes of weights one GPU holds (its TP shard of its PP stage). */
export function weightBytesPerGpu(d: Pick<Deployment, "model" | "dtype" | "tp" | "pp">): number {
  const p = modelParams(d.model);
  const info = WEIGHT_DTYPES[d.dtype];
  const heads = d.model.tieEmbeddings ? p.embedding : p.embedding + p.lmHead;
  return (d.model.layers * p.totalLinearPerLayer * info.bitsPerWeight + heads * info.headBits) / 8 / (d.tp * d.pp);
}

class Roofline {
  readonly #d: Deployment;
  readonly #p: ModelParams;
  readonly #bytesPerWeight: number;
  readonly #headBytes: number;
  readonly #linearFlopsPerS: number;
  readonly #attnFlopsPerS: number;
  readonly #bytesPerS: number;
  readonly #kvBytesPerToken: number;
  readonly #attnFlopsPerPair: number;
  /** Weight-streaming rate of steps wider than the skinny kernel takes: 16-bit weights go to the vendor BLAS (slower on ROCm, see sim-profile.ts); quantised formats keep their own kernels. */
  readonly #wideBytesPerS: number;

  constructor(d: Deployment, model: ModelShape) {
    this.#d = d;
    this.#p = modelParams(model);
    const info = WEIGHT_DTYPES[d.dtype];
    this.#bytesPerWeight = info.bitsPerWeight / 8;
    this.#headBytes = (this.#p.lmHead * info.headBits) / 8;
    this.#linearFlopsPerS = linearPeakTflops(d.gpu, d.dtype) * 1e12;
    this.#attnFlopsPerS = d.gpu.bf16Tflops * 1e12 * d.profile.attentionEfficiency;
    this.#bytesPerS = d.gpu.memBwGBps * 1e9 * d.profile.memoryEfficiency;
    this.#wideBytesPerS = info.bitsPerWeight === 16 ? this.#bytesPerS * d.profile.blasDecodeEfficiency : this.#bytesPerS;
    // A step's latency runs through every pipeline stage in turn, so per-step work covers all layers.
    this.#kvBytesPerToken = kvBytesPerToken(model, kvBytesPerElement(d.kvDtype), d.tp, 1);
    this.#attnFlopsPerPair = (4 * model.layers * model.heads * model.headDim) / d.tp;
  }

  /**
   * Linear layers + lm_head, in seconds: FLOP time and weight-streaming time combined as
   * √(t_c² + t_m²) rather than max(): near the ridge point neither unit is saturated (Vidur's
   * A100 GEMMs reach ~50 % of peak at 128 tokens, ~40 % slower than max() predicts), while far
   * from it the larger term wins as in the plain roofline.
   */
  linearS(tokens: number, headRows: number, model: ModelShape): number {
    const p = this.#p;
    const tp = this.#d.tp;
    const flops = (2 * tokens * model.layers * p.activeLinearPerLayer + 2 * headRows * p.lmHead) / tp;
    const half = this.#d.profile.gemmHalfTokens;
    const eff = this.#d.profile.gemmEfficiency * (half > 0 ? tokens / (tokens + half) : 1);
    const touchedMlp = model.experts > 0 ? expertsTouched(model, tokens) * p.mlpPerLayer + p.routerPerLayer : p.mlpPerLayer;
    const bytes = (model.layers * (p.attentionPerLayer + touchedMlp) * this.#bytesPerWeight + this.#headBytes) / tp;
    const bytesPerS = tokens > this.#d.profile.skinnyGemmMaxRows ? this.#wideBytesPerS : this.#bytesPerS;
    return Math.hypot(flops / (eff * this.#linearFlopsPerS), bytes / bytesPerS);
  }

  attentionS(queryContextPairs: number, kvTokens: number): number {
    return Math.max((queryContextPairs * this.#attnFlopsPerPair) / this.#attnFlopsPerS, (kvTokens * this.#kvBytesPerToken) / this.#bytesPerS);
  }
}

/** Two all-reduces per layer for TP; one activation hand-off (and worker hand-over) per stage boundary for PP. */
function commS(d: Deployment, tokens: number): number {
  const { tp, pp, profile, gpu, model } = d;
  const alphaS = profile.allReduceLatencyUs * 1e-6;
  const linkBytesPerS = gpu.linkGBpsPerDirection * 1e9 * profile.linkEfficiency;
  const activationBytes = tokens * model.hidden * 2;
  let s = 0;
  if (tp > 1) s += 2 * model.layers * (alphaS + ((2 * (tp - 1)) / tp) * (activationBytes / linkBytesPerS));
  // A stage boundary costs the transfer and the hand-off between stage worker processes.
  if (pp > 1) s += (pp - 1) * (alphaS + activationBytes / linkBytesPerS + profile.pipelineStageOverheadMs / 1000);
  return s;
}

/**
 * The roofline TimingModel. TTFT's off-engine part is the API server (frontendMs + tokenisation);
 * everything else comes out of the steps the scheduler runs.
 * @example rooflineTiming({ gpu: findGpu("H100-SXM"), model, dtype: "bf16", kvDtype: "auto", tp: 1, pp: 1, enforceEager: false, profile: defaultProfile() })
 */
export class RooflineTiming implements TimingModel {
  readonly deployment: Deployment;
  readonly #main: Roofline;
  readonly #draft: Roofline | undefined;

  constructor(d: Deployment) {
    this.deployment = d;
    this.#main = new Roofline(d, d.model);
    this.#draft = d.draftModel === undefined ? undefined : new Roofline({ ...d, model: d.draftModel, dtype: d.draftDtype ?? d.dtype }, d.draftModel);
  }

  ttftMs(ctx: TtftContext): number {
    const p = this.deployment.profile;
    return p.frontendMs + (p.tokenizeUsPerToken * ctx.promptTokens) / 1000;
  }

  stepMs(ctx: StepContext): number {
    return this.breakdown(ctx).totalMs;
  }

  breakdown(ctx: StepContext): StepBreakdown {
    const d = this.deployment;
    const tokens = ctx.decodeTokens + ctx.prefillTokens;
    if (tokens === 0) return { linearMs: 0, attentionMs: 0, commMs: 0, overheadMs: 0, dispatchMs: 0, draftMs: 0, totalMs: 0 };
    const headRows = ctx.decodeTokens + Math.max(0, ctx.sampledRows - ctx.decodeSeqs);
    const linearMs = 1000 * this.#main.linearS(tokens, headRows, d.model);
    const pairs = ctx.prefillAttentionWork + ctx.contextTokens * (1 + ctx.draftTokens);
    const attentionMs = 1000 * this.#main.attentionS(pairs, ctx.kvReadTokens);
    const commMs = 1000 * commS(d, tokens);
    const p = d.profile;
    // Speculative decoding samples k + 1 positions per decode row (the rejection sampler checks every draft): per-row CPU work grows with k.
    const sampledPerRow = ctx.running + ctx.decodeSeqs * ctx.draftTokens;
    const eagerKernels = d.enforceEager ? eagerKernelFactor(d.gpu, d.dtype) * d.model.layers : 0;
    const overheadMs = p.stepOverheadMs + p.perSeqOverheadMs * sampledPerRow + p.eagerLayerOverheadMs * eagerKernels;
    let draftMs = 0;
    if (ctx.draftTokens > 0 && ctx.decodeSeqs > 0 && this.#draft !== undefined && d.draftModel !== undefined) {
      // k sequential draft passes of one token per decode row, each reading the draft's own KV cache
      // and paying its own fixed cost; the target then verifies k + 1 tokens per row (decodeTokens).
      const pass = this.#draft.linearS(ctx.decodeSeqs, ctx.decodeSeqs, d.draftModel) + this.#draft.attentionS(ctx.contextTokens, ctx.kvReadTokens);
      draftMs = ctx.draftTokens * (1000 * pass + p.draftPassOverheadMs);
    }
    // Without CUDA graphs the CPU dispatches every kernel; launches are asynchronous, so the GPU
    // only waits when dispatching the layers takes longer than running them (small models, fast GPUs).
    const dispatchMs = d.enforceEager ? Math.max(0, p.eagerDispatchMsPerLayer * eagerKernels - (linearMs + attentionMs)) : 0;
    return { linearMs, attentionMs, commMs, overheadMs, dispatchMs, draftMs, totalMs: linearMs + attentionMs + commMs + overheadMs + dispatchMs + draftMs };
  }
}
