// Owns the `sim` section of the run configuration: the embedded simulator `run` starts without a
// url. Simple timing fields, or a hardware preset (the same settings as `simulate`'s flags).
// Types and ranges only; catalog names and cross-field rules are checked by src/sim/preset-settings.ts.

import { z } from "zod";
import { KV_DTYPE_NAMES, WEIGHT_DTYPE_NAMES } from "../sim/dtypes.js";
import { DIALECT_NAMES } from "../sim/dialects/dialect.js";

const positiveInt = z.number().int().positive();
const fraction = z.number().gt(0).max(1);

/** Options for the embedded simulator, used when no `url` is given. */
export const simConfigSchema = z.object({
  /**
   * roofline (default): step times from a GPU × model preset, --sim-gpu's or else the named default
   * (RTX-4070 × Qwen3-8B-AWQ); simple: fixed timing (ttftMs, perTokenMs, batchSlowdown), which any
   * of those three fields implies when no gpu is given.
   */
  timing: z.enum(["roofline", "simple"]).optional(),
  /** Simple timing (ignored with a gpu preset). @defaultValue 30, 10, 0.002 */
  ttftMs: z.number().nonnegative().optional(),
  perTokenMs: z.number().positive().optional(),
  batchSlowdown: z.number().nonnegative().optional(),
  /** Served model id; with gpu the catalog id. Absent: the run's `model`, else sim-model. */
  model: z.string().min(1).optional(),
  trace: z.string().optional(),
  /** Requests the simulator admits at once (the rest queue): gives it a hard capacity. */
  maxNumSeqs: positiveInt.optional(),
  /** Hardware preset: a catalog GPU id (H100-SXM, …); step times from the roofline model. */
  gpu: z.string().min(1).optional(),
  /** Path of a Hugging Face config.json for a model outside the catalog. */
  modelConfig: z.string().min(1).optional(),
  dtype: z.enum(WEIGHT_DTYPE_NAMES).optional(),
  kvDtype: z.enum(KV_DTYPE_NAMES).optional(),
  tp: positiveInt.optional(),
  pp: positiveInt.optional(),
  maxModelLen: positiveInt.optional(),
  gpuMemoryUtilization: fraction.optional(),
  maxNumBatchedTokens: positiveInt.optional(),
  kvCacheBlocks: positiveInt.optional(),
  prefixCaching: z.boolean().optional(),
  enforceEager: z.boolean().optional(),
  specTokens: z.number().int().nonnegative().optional(),
  specAcceptance: fraction.optional(),
  specDraftModel: z.string().min(1).optional(),
  /** Path of an efficiency-constant file (from `servebench calibrate`). */
  profile: z.string().min(1).optional(),
  /** The first engine step after start takes this much longer (a fresh server's warm-up), in ms. */
  coldStartMs: z.number().nonnegative().optional(),
  /** Which server the simulator speaks like (default vllm). */
  dialect: z.enum(DIALECT_NAMES).optional(),
  /** Fault spec, e.g. "http500=0.05,reset=0.01" (docs/simulator.md). */
  faults: z.string().min(1).optional(),
  /** Chat answers start with this many reasoning tokens (a reasoning model behind a reasoning parser). */
  reasoningTokens: z.number().int().nonnegative().optional(),
});

export type SimConfig = z.output<typeof simConfigSchema>;

/** Fields that only mean something for a simulator servebench starts (the simple timing values are let through with --url, as before). */
export const EMBEDDED_ONLY_FIELDS = [
  "timing",
  "gpu",
  "modelConfig",
  "dtype",
  "kvDtype",
  "tp",
  "pp",
  "maxModelLen",
  "gpuMemoryUtilization",
  "maxNumBatchedTokens",
  "kvCacheBlocks",
  "prefixCaching",
  "enforceEager",
  "specTokens",
  "specAcceptance",
  "specDraftModel",
  "profile",
  "coldStartMs",
  "dialect",
  "faults",
  "reasoningTokens",
] as const satisfies ReadonlyArray<keyof SimConfig>;
