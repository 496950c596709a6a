// Owns the hardware-preset settings as plain data (what `simulate --gpu …` and `run --sim-gpu …`
// both parse into) and their one translation into SimulatorOptions: the "needs `gpu`" rules and the
// file reads. Errors name the setting (`tp`); the CLI turns that into its flag (src/cli/field-flags.ts).

import { readFileSync } from "node:fs";
import { BenchError } from "../errors.js";
import type { SimulatorOptions } from "./options.js";
import type { PresetOptions } from "./preset.js";
import { readProfileFile } from "./sim-profile.js";

/** Preset settings as typed, serialisable values: file paths, never file contents. */
export interface SimPresetSettings {
  /** Catalog id of the model (also the served model name). */
  model?: string | undefined;
  gpu?: string | undefined;
  /** Path of a Hugging Face config.json for a model outside the catalog. */
  modelConfig?: string | undefined;
  dtype?: string | undefined;
  kvDtype?: string | undefined;
  tp?: number | undefined;
  pp?: number | undefined;
  maxModelLen?: number | undefined;
  gpuMemoryUtilization?: number | undefined;
  maxNumSeqs?: number | undefined;
  maxNumBatchedTokens?: number | undefined;
  kvCacheBlocks?: number | undefined;
  prefixCaching?: boolean | undefined;
  enforceEager?: boolean | undefined;
  specTokens?: number | undefined;
  specAcceptance?: number | undefined;
  specDraftModel?: string | undefined;
  /** Path of an efficiency-constant file (from `servebench calibrate`). */
  profile?: string | undefined;
  /** The engine's first step takes this much longer (a freshly started server's warm-up). */
  coldStartMs?: number | undefined;
}

export type SimSettingKey = keyof SimPresetSettings;

/** Settings that only mean something with a GPU preset. */
const GPU_ONLY: readonly SimSettingKey[] = ["dtype", "kvDtype", "tp", "pp", "gpuMemoryUtilization", "modelConfig", "profile", "specDraftModel", "enforceEager"];

function readJson(path: string, field: SimSettingKey): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (cause) {
    throw new BenchError("E_IO", `\`${field}\`: cannot read ${path}: ${(cause as Error).message}`, { where: field, cause });
  }
}

/**
 * Simulator options from preset settings (values already type-checked by the flag parser or the
 * config schema). Without `gpu` only the scheduler limits apply and the simple timing model stays.
 * Errors name the settings (`tp`, `gpu`, …).
 */
export function simOptionsFromSettings(s: SimPresetSettings): SimulatorOptions {
  const out: SimulatorOptions = {};
  if (s.maxModelLen !== undefined) out.maxModelLen = s.maxModelLen;
  if (s.maxNumSeqs !== undefined) out.maxNumSeqs = s.maxNumSeqs;
  if (s.maxNumBatchedTokens !== undefined) out.maxNumBatchedTokens = s.maxNumBatchedTokens;
  if (s.kvCacheBlocks !== undefined) out.kvCacheBlocks = s.kvCacheBlocks;
  if (s.prefixCaching === false) out.prefixCaching = false;
  if (s.coldStartMs !== undefined) out.coldStartMs = s.coldStartMs;
  if (s.specTokens !== undefined) out.speculative = { draftTokens: s.specTokens, acceptanceRate: s.specAcceptance ?? 0.7 };
  if (s.gpu === undefined) {
    const given = GPU_ONLY.find((key) => s[key] !== undefined && s[key] !== false);
    if (given !== undefined) throw new BenchError("E_BAD_FLAG", `\`${given}\`: needs \`gpu\``, { where: "gpu" });
    return out;
  }
  const preset: PresetOptions = { gpu: s.gpu, model: s.model };
  if (s.modelConfig !== undefined) preset.modelConfig = readJson(s.modelConfig, "modelConfig");
  else if (s.model === undefined) {
    throw new BenchError("E_BAD_FLAG", "`gpu`: also give `model` (a catalog id, see `listModels`) or `modelConfig`", { where: "model" });
  }
  preset.dtype = s.dtype;
  preset.kvDtype = s.kvDtype;
  preset.tp = s.tp;
  preset.pp = s.pp;
  if (s.gpuMemoryUtilization !== undefined) preset.gpuMemoryUtilization = s.gpuMemoryUtilization;
  preset.enforceEager = s.enforceEager === true;
  if (s.profile !== undefined) preset.profile = readProfileFile(s.profile);
  preset.draftModel = s.specDraftModel;
  out.preset = preset;
  return out;
}
