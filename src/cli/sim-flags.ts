// Owns the simulator's hardware-preset flags: `simulate`, `predict` and `calibrate` spell them bare
// (--gpu, --dtype, --tp, …), `run` with a sim- prefix for its embedded simulator (--sim-gpu, …).
// One table, one parser (values checked here, naming the flag), plus the --list-gpus/--list-models listings.

import { Option, type Command } from "commander";
import { parseDurationMs, parseNonNegativeInt, parsePositiveInt, parsePositiveNumber } from "../config/units.js";
import { BenchError } from "../errors.js";
import { DIALECT_NAMES, KV_DTYPE_NAMES, WEIGHT_DTYPE_NAMES, listGpus, listModels, simOptionsFromSettings } from "../sim/index.js";
import type { SimPresetSettings, SimSettingKey, SimulatorOptions } from "../sim/index.js";
import { flagAttribute } from "../config/run-flag-table.js";

type Raw = Record<string, string | boolean | undefined | string[]>;

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
  coldStartMs: "cold-start",
};

export function isPresetSetting(name: string): name is SimSettingKey {
  return Object.hasOwn(FLAG_NAMES, name);
}

/** The flag users type for a setting, e.g. presetFlag("tp", "run") = "--sim-tp". */
export function presetFlag(key: SimSettingKey, style: FlagStyle): string {
  const name = style === "run" && !FLAG_NAMES[key].startsWith("sim-") ? `sim-${FLAG_NAMES[key]}` : FLAG_NAMES[key];
  return key === "prefixCaching" ? `--no-${name}` : `--${name}`;
}

interface FlagDef {
  key: Exclude<SimSettingKey, "model">;
  /** Value placeholder; absent for booleans. */
  arg?: string;
  help: string;
  choices?: readonly string[];
  parse?: (value: string, flag: string) => number;
}

function fraction(value: string, flag: string): number {
  const n = parsePositiveNumber(value, flag);
  if (n > 1) throw new BenchError("E_BAD_FLAG", `${flag}: "${value}" is not a number in (0, 1]`, { where: flag });
  return n;
}

const PRESET_FLAGS: readonly FlagDef[] = [
  { key: "gpu", arg: "<id>", help: "simulate this GPU with the roofline model (H100-SXM, A100-80G, B200, RTX-PRO-6000, …; see --list-gpus)" },
  { key: "modelConfig", arg: "<path>", help: "a Hugging Face config.json for a model outside the catalog" },
  { key: "dtype", arg: "<dtype>", help: "weight format (default: implied by the model id, else bf16)", choices: WEIGHT_DTYPE_NAMES },
  { key: "kvDtype", arg: "<dtype>", help: "KV cache format", choices: KV_DTYPE_NAMES },
  { key: "tp", arg: "<n>", help: "tensor-parallel GPUs (default 1)", parse: parsePositiveInt },
  { key: "pp", arg: "<n>", help: "pipeline-parallel GPUs (default 1)", parse: parsePositiveInt },
  { key: "maxModelLen", arg: "<n>", help: "context limit (default: the model's max positions; 40960 without a GPU)", parse: parsePositiveInt },
  { key: "gpuMemoryUtilization", arg: "<x>", help: "fraction of GPU memory vLLM may use (default 0.9)", parse: fraction },
  {
    key: "maxNumSeqs",
    arg: "<n>",
    help: "requests in the running batch at once, the rest queue (default: vLLM's 256 or 1024 with a GPU; unlimited without)",
    parse: parsePositiveInt,
  },
  { key: "maxNumBatchedTokens", arg: "<n>", help: "per-step token budget, chunked prefill (default: vLLM's 2048 or 8192 with a GPU)", parse: parsePositiveInt },
  { key: "kvCacheBlocks", arg: "<n>", help: "KV cache size in 16-token blocks (default: from GPU memory with a GPU)", parse: parsePositiveInt },
  { key: "prefixCaching", help: "disable prefix caching" },
  { key: "enforceEager", help: "no CUDA graphs: a kernel-launch cost per layer and step" },
  { key: "specTokens", arg: "<k>", help: "speculative decoding: draft tokens per step", parse: parseNonNegativeInt },
  { key: "specAcceptance", arg: "<p>", help: "speculative decoding: per-token acceptance rate (default 0.7)", parse: fraction },
  { key: "specDraftModel", arg: "<hf-id>", help: "speculative decoding: draft model from the catalog (default: free drafting, like n-gram)" },
  { key: "profile", arg: "<file>", help: "efficiency constants (JSON, e.g. from `servebench calibrate`)" },
  {
    key: "coldStartMs",
    arg: "<time>",
    help: "the first engine step after start takes this much longer, a fresh server's warm-up, e.g. 1s (default 0)",
    parse: parseDurationMs,
  },
];

function addPresetFlags(cmd: Command, style: FlagStyle, skip: ReadonlySet<SimSettingKey> = new Set()): Command {
  for (const def of PRESET_FLAGS) {
    if (skip.has(def.key)) continue;
    const help = style === "run" ? `embedded simulator: ${def.help}` : def.help;
    const option = new Option(`${presetFlag(def.key, style)}${def.arg === undefined ? "" : ` ${def.arg}`}`, help);
    cmd.addOption(def.choices === undefined ? option : option.choices([...def.choices]));
  }
  return cmd;
}

export function addSimListingFlags(cmd: Command): Command {
  return cmd.option("--list-gpus", "list the GPU catalog and exit").option("--list-models", "list the model catalog and exit");
}

/** The preset flags as `simulate`, `predict` and `calibrate` spell them, and the listings. */
export function addSimPresetFlags(cmd: Command): Command {
  return addSimListingFlags(addPresetFlags(cmd, "simulate"));
}

/**
 * `run`'s embedded-simulator preset flags (--sim-gpu, --sim-model, …, --sim-dialect, --sim-faults).
 * --sim-max-num-seqs is not added here: addRunFlags has it (predict reads it too).
 */
export function addEmbeddedSimFlags(cmd: Command): Command {
  addPresetFlags(
    cmd.option("--sim-model <hf-id>", "embedded simulator: served model id; with --sim-gpu a catalog id (default: --model, else sim-model)"),
    "run",
    new Set(["maxNumSeqs"]),
  );
  return cmd
    .addOption(
      new Option("--sim-dialect <server>", "embedded simulator: wire format, /metrics names and errors of this server (default vllm)").choices([
        ...DIALECT_NAMES,
      ]),
    )
    .option("--sim-faults <spec>", 'embedded simulator: inject faults, e.g. "http500=0.05,reset=0.01" (docs/simulator.md)');
}

/** Flags only the HTTP server has: what it speaks, how it starts, what goes wrong. */
export function addSimServeFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option("--dialect <server>", "wire format, /metrics names and errors of this server").choices([...DIALECT_NAMES]).default("vllm"))
    .option("--load-time <time>", "/health answers 503 (model loading) for this long after start, e.g. 30s")
    .option("--faults <spec>", 'inject faults, e.g. "http500=0.05,midstream=0.02,reset=0.01,stall=0.01:5s,crash-after=100" (docs/simulator.md)')
    .option("--eos-probability <p>", "chance each token is EOS when the request allows it (default 0)")
    .option("--seed <n>", "seed for EOS draws and faults (default 0)");
}

/** The preset settings the user gave (each value parsed, errors naming the flag); the model is the caller's. */
export function simSettingsFromFlags(raw: Raw, style: FlagStyle): SimPresetSettings {
  const out: SimPresetSettings = {};
  for (const def of PRESET_FLAGS) {
    const flag = presetFlag(def.key, style);
    const value = raw[flagAttribute(flag)];
    if (def.key === "prefixCaching") {
      if (value === false) out.prefixCaching = false;
    } else if (def.key === "enforceEager") {
      if (value === true) out.enforceEager = true;
    } else if (typeof value === "string") {
      (out as Record<string, string | number>)[def.key] = def.parse === undefined ? value : def.parse(value, flag);
    }
  }
  return out;
}

/**
 * Simulator options from `simulate`-style preset flags. `model` is the catalog id (and the served
 * model name); without --gpu only the scheduler limits apply (the simple timing model stays).
 */
export function simOptionsFromFlags(raw: Raw, model: string | undefined): SimulatorOptions {
  return simOptionsFromSettings({ ...simSettingsFromFlags(raw, "simulate"), model });
}

/** Handles --list-gpus / --list-models; true when one was printed (the command then exits 0). */
export function printListings(raw: Raw, write: (s: string) => void): boolean {
  if (raw.listGpus === true) {
    write("id             memory  bandwidth  bf16      fp8       fp4       link/dir  name\n");
    for (const g of listGpus()) {
      const tf = (x: number | null): string => (x === null ? "—" : `${x}`).padEnd(9);
      write(
        `${g.id.padEnd(14)} ${`${g.memoryGb} GB`.padEnd(7)} ${`${g.memBwGBps} GB/s`.padEnd(10)} ${tf(g.bf16Tflops)} ${tf(g.fp8Tflops)} ${tf(g.fp4Tflops)} ` +
          `${`${g.linkGBpsPerDirection} GB/s`.padEnd(9)} ${g.name}${g.pcieOnly ? " (PCIe only)" : ""}\n`,
      );
    }
    write("TFLOPS are dense peaks; bandwidths in gigabytes per second (catalog: src/sim/catalog/).\n");
    return true;
  }
  if (raw.listModels === true) {
    write("model                                      layers hidden heads kv  max_pos  params\n");
    for (const m of listModels()) {
      const s = m.shape;
      write(
        `${m.catalogId.padEnd(42)} ${String(s.layers).padEnd(6)} ${String(s.hidden).padEnd(6)} ${String(s.heads).padEnd(5)} ${String(s.kvHeads).padEnd(3)} ` +
          `${String(s.maxPositions).padEnd(8)} ${s.experts > 0 ? `MoE ${s.experts}×top-${s.expertsPerToken}` : "dense"}${m.verified ? "" : " (unverified)"}\n`,
      );
    }
    write("Quantised repos resolve to their base: Qwen/Qwen3-32B-FP8 → Qwen/Qwen3-32B with --dtype fp8 implied.\n");
    return true;
  }
  return false;
}
