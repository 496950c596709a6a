// Owns the hardware-preset settings as plain data (what `simulate --gpu …` and `run --sim-gpu …`
// both parse into) and their one translation into SimulatorOptions: the "needs --gpu" rules and the
// file reads. Errors name the flag as the calling command spells it (simulate: --tp, run: --sim-tp).

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
}

export type SimSettingKey = keyof SimPresetSettings;

/** `simulate`, `predict` and `calibrate` spell the flags bare (--tp); `run` prefixes them (--sim-tp). */
export type FlagStyle = "simulate" | "run";

/** Each setting's flag name as `simulate` spells it (without "--"). */
const FLAG_NAMES: Readonly<Record<SimSettingKey, string>> = {
  model: "model",
  gpu: "gpu",
  modelConfig: "model-config",
  dtype: "dtype",
  kvDtype: "kv-dtype",
  tp: "tp",
  pp: "pp",
  maxModelLen: "max-model-len",
  gpuMemoryUtilization: "gpu-memory-utilization",
  maxNumSeqs: "max-num-seqs",
  maxNumBatchedTokens: "max-num-batched-tokens",
  kvCacheBlocks: "kv-cache-blocks",
  prefixCaching: "prefix-caching",
  enforceEager: "enforce-eager",
  specTokens: "spec-tokens",
  specAcceptance: "spec-acceptance",
  specDraftModel: "spec-draft-model",
  profile: "sim-profile",
};

export const SIM_SETTING_KEYS = Object.keys(FLAG_NAMES) as SimSettingKey[];

/** Settings that only mean something with a GPU preset. */
const GPU_ONLY: readonly SimSettingKey[] = ["dtype", "kvDtype", "tp", "pp", "gpuMemoryUtilization", "modelConfig", "profile", "specDraftModel", "enforceEager"];

/** Flags of the simulated server that are not preset settings but get the same prefix in `run`. */
const SERVER_FLAG_NAMES = ["dialect", "faults"] as const;

function styled(name: string, style: FlagStyle): string {
  return style === "run" && !name.startsWith("sim-") ? `sim-${name}` : name;
}

/** The flag users type for a setting, e.g. presetFlag("tp", "run") = "--sim-tp". */
export function presetFlag(key: SimSettingKey, style: FlagStyle): string {
  const name = styled(FLAG_NAMES[key], style);
  return key === "prefixCaching" ? `--no-${name}` : `--${name}`;
}

function readJson(path: string, flag: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (cause) {
    throw new BenchError("E_IO", `${flag}: cannot read ${path}: ${(cause as Error).message}`, { where: flag, cause });
  }
}

/**
 * Simulator options from preset settings (values already type-checked by the flag parser or the
 * config schema). Without `gpu` only the scheduler limits apply and the simple timing model stays.
 * Errors are already in `style`'s flag names.
 */
export function simOptionsFromSettings(s: SimPresetSettings, style: FlagStyle = "simulate"): SimulatorOptions {
  const flag = (key: SimSettingKey): string => presetFlag(key, style);
  const out: SimulatorOptions = {};
  if (s.maxModelLen !== undefined) out.maxModelLen = s.maxModelLen;
  if (s.maxNumSeqs !== undefined) out.maxNumSeqs = s.maxNumSeqs;
  if (s.maxNumBatchedTokens !== undefined) out.maxNumBatchedTokens = s.maxNumBatchedTokens;
  if (s.kvCacheBlocks !== undefined) out.kvCacheBlocks = s.kvCacheBlocks;
  if (s.prefixCaching === false) out.prefixCaching = false;
  if (s.specTokens !== undefined) out.speculative = { draftTokens: s.specTokens, acceptanceRate: s.specAcceptance ?? 0.7 };
  if (s.gpu === undefined) {
    const given = GPU_ONLY.find((key) => s[key] !== undefined && s[key] !== false);
    if (given !== undefined) throw new BenchError("E_BAD_FLAG", `${flag(given)}: needs ${flag("gpu")}`, { where: flag("gpu") });
    return out;
  }
  const preset: PresetOptions = { gpu: s.gpu, model: s.model };
  if (s.modelConfig !== undefined) preset.modelConfig = readJson(s.modelConfig, flag("modelConfig"));
  else if (s.model === undefined) {
    throw new BenchError("E_BAD_FLAG", `${flag("gpu")}: also give ${flag("model")} (a catalog id, see --list-models) or ${flag("modelConfig")}`, {
      where: flag("model"),
    });
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

/**
 * The simulator core names `simulate`'s flags in its errors (--gpu, --tp, --faults, …); for `run`
 * this returns the same error with run's spelling (--sim-gpu, --sim-tp, --sim-faults).
 */
export function renameSimFlags(error: unknown, style: FlagStyle): unknown {
  if (style === "simulate" || !(error instanceof BenchError)) return error;
  const names = new Set<string>([...Object.values(FLAG_NAMES), ...SERVER_FLAG_NAMES]);
  const rename = (text: string): string =>
    text.replace(/--(no-)?([a-z][a-z0-9-]*)/g, (whole, no: string | undefined, name: string) =>
      names.has(name) ? `--${no ?? ""}${styled(name, style)}` : whole,
    );
  const where = error.where === undefined ? {} : { where: rename(error.where) };
  return new BenchError(error.code, rename(error.message), { ...where, cause: error });
}
