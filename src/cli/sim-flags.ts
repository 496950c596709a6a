// Owns the simulator's hardware-preset flags shared by `simulate`, `predict` and `calibrate`
// (--gpu, --dtype, --tp, …, --sim-profile), their translation into SimulatorOptions, and the
// --list-gpus / --list-models listings. Each value is parsed here with a message naming the flag.

import { readFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { parseNonNegativeInt, parsePositiveInt, parsePositiveNumber } from "../config/units.js";
import { BenchError } from "../errors.js";
import { DIALECT_NAMES, KV_DTYPE_NAMES, WEIGHT_DTYPE_NAMES, listGpus, listModels, readProfileFile } from "../sim/index.js";
import type { PresetOptions, SimulatorOptions } from "../sim/index.js";

type Raw = Record<string, string | boolean | undefined | string[]>;

export function addSimPresetFlags(cmd: Command): Command {
  return cmd
    .option("--gpu <id>", "simulate this GPU with the roofline model (H100-SXM, A100-80G, B200, RTX-PRO-6000, …; see --list-gpus)")
    .option("--model-config <path>", "a Hugging Face config.json for a model outside the catalog")
    .addOption(new Option("--dtype <dtype>", "weight format (default: implied by the model id, else bf16)").choices(WEIGHT_DTYPE_NAMES))
    .addOption(new Option("--kv-dtype <dtype>", "KV cache format").choices([...KV_DTYPE_NAMES]))
    .option("--tp <n>", "tensor-parallel GPUs (default 1)")
    .option("--pp <n>", "pipeline-parallel GPUs (default 1)")
    .option("--max-model-len <n>", "context limit (default: the model's max positions; 40960 without --gpu)")
    .option("--gpu-memory-utilization <x>", "fraction of GPU memory vLLM may use (default 0.9)")
    .option("--max-num-seqs <n>", "requests in the running batch at once (default: vLLM's 256 or 1024 with --gpu; unlimited without)")
    .option("--max-num-batched-tokens <n>", "per-step token budget, chunked prefill (default: vLLM's 2048 or 8192 with --gpu)")
    .option("--kv-cache-blocks <n>", "KV cache size in 16-token blocks (default: from GPU memory with --gpu)")
    .option("--no-prefix-caching", "disable prefix caching")
    .option("--enforce-eager", "no CUDA graphs: a kernel-launch cost per layer and step")
    .option("--spec-tokens <k>", "speculative decoding: draft tokens per step")
    .option("--spec-acceptance <p>", "speculative decoding: per-token acceptance rate (default 0.7)")
    .option("--spec-draft-model <hf-id>", "speculative decoding: draft model from the catalog (default: free drafting, like n-gram)")
    .option("--sim-profile <file>", "efficiency constants (JSON, e.g. from `servebench calibrate`)")
    .option("--list-gpus", "list the GPU catalog and exit")
    .option("--list-models", "list the model catalog and exit");
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

function str(raw: Raw, key: string): string | undefined {
  const v = raw[key];
  return typeof v === "string" ? v : undefined;
}

function fraction(value: string, flag: string): number {
  const n = parsePositiveNumber(value, flag);
  if (n > 1) throw new BenchError("E_BAD_FLAG", `${flag}: "${value}" is not a number in (0, 1]`, { where: flag });
  return n;
}

function readJson(path: string, flag: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (cause) {
    throw new BenchError("E_IO", `${flag}: cannot read ${path}: ${(cause as Error).message}`, { where: flag, cause });
  }
}

/**
 * Simulator options from the preset flags. `model` is the catalog id (and the served model name);
 * without --gpu only the scheduler limits apply (the simple timing model stays).
 */
export function simOptionsFromFlags(raw: Raw, model: string | undefined): SimulatorOptions {
  const out: SimulatorOptions = {};
  const int = (key: string, flag: string): number | undefined => {
    const v = str(raw, key);
    return v === undefined ? undefined : parsePositiveInt(v, flag);
  };
  const maxModelLen = int("maxModelLen", "--max-model-len");
  if (maxModelLen !== undefined) out.maxModelLen = maxModelLen;
  const maxNumSeqs = int("maxNumSeqs", "--max-num-seqs");
  if (maxNumSeqs !== undefined) out.maxNumSeqs = maxNumSeqs;
  const budget = int("maxNumBatchedTokens", "--max-num-batched-tokens");
  if (budget !== undefined) out.maxNumBatchedTokens = budget;
  const blocks = int("kvCacheBlocks", "--kv-cache-blocks");
  if (blocks !== undefined) out.kvCacheBlocks = blocks;
  if (raw.prefixCaching === false) out.prefixCaching = false;
  const specTokens = str(raw, "specTokens");
  if (specTokens !== undefined) {
    const acceptance = str(raw, "specAcceptance");
    out.speculative = {
      draftTokens: parseNonNegativeInt(specTokens, "--spec-tokens"),
      acceptanceRate: acceptance === undefined ? 0.7 : fraction(acceptance, "--spec-acceptance"),
    };
  }
  const gpu = str(raw, "gpu");
  if (gpu === undefined) {
    for (const flag of ["dtype", "kvDtype", "tp", "pp", "gpuMemoryUtilization", "modelConfig", "simProfile", "specDraftModel"]) {
      if (raw[flag] !== undefined) throw new BenchError("E_BAD_FLAG", `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: needs --gpu`, { where: "--gpu" });
    }
    if (raw.enforceEager === true) throw new BenchError("E_BAD_FLAG", "--enforce-eager: needs --gpu", { where: "--gpu" });
    return out;
  }
  const preset: PresetOptions = { gpu, model };
  const modelConfig = str(raw, "modelConfig");
  if (modelConfig !== undefined) preset.modelConfig = readJson(modelConfig, "--model-config");
  else if (model === undefined) throw new BenchError("E_BAD_FLAG", "--gpu: also give --model (a catalog id, see --list-models) or --model-config", { where: "--model" });
  preset.dtype = str(raw, "dtype");
  preset.kvDtype = str(raw, "kvDtype");
  preset.tp = int("tp", "--tp");
  preset.pp = int("pp", "--pp");
  const util = str(raw, "gpuMemoryUtilization");
  if (util !== undefined) preset.gpuMemoryUtilization = fraction(util, "--gpu-memory-utilization");
  preset.enforceEager = raw.enforceEager === true;
  const profile = str(raw, "simProfile");
  if (profile !== undefined) preset.profile = readProfileFile(profile);
  preset.draftModel = str(raw, "specDraftModel");
  out.preset = preset;
  return out;
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
