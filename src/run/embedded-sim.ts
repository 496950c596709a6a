// Owns what `run` without a url starts: RunConfig.sim → SimulatorOptions through the same preset
// translation as `simulate` (errors naming run config fields: `sim.tp`), the roofline engine on the named
// default preset unless told otherwise, checked before anything slow, and the description of that
// simulator a run's summary carries. Starting it is target.ts's job.

import type { RunConfig } from "../config/run-config.js";
import { simConfigSchema, type SimConfig } from "../config/sim-config.js";
import { BenchError } from "../errors.js";
import type { SimulatorInfo } from "../results/run-summary.js";
import { DEFAULT_RUN_PRESET, DEFAULT_SIM_MODEL, describePreset, resolveSimulatorOptions, simOptionsFromSettings } from "../sim/index.js";
import type { ResolvedSimulatorOptions, SimulatorOptions } from "../sim/index.js";

export interface EmbeddedSim {
  /** Everything but the tokenizer hooks, which target.ts adds. */
  options: SimulatorOptions;
  info: SimulatorInfo;
}

/** The simple timing's values when the config leaves them out. */
const SIMPLE_DEFAULTS = { ttftMs: 30, perTokenMs: 10, batchSlowdown: 0.002 } as const;

/**
 * Which timing the embedded simulator runs: `simple` when asked (sim.timing), or implied by a
 * simple-timing value without a GPU; otherwise the roofline engine on --sim-gpu's preset or, without
 * one, on DEFAULT_RUN_PRESET (as if --sim-gpu RTX-4070 --sim-max-model-len 16384 and, unless given,
 * --sim-model Qwen/Qwen3-8B-AWQ were passed).
 */
export function embeddedTiming(sim: SimConfig): "roofline" | "simple" {
  if (sim.timing !== undefined) return sim.timing;
  const hasGpu = sim.gpu !== undefined || sim.modelConfig !== undefined;
  return !hasGpu && (sim.ttftMs ?? sim.perTokenMs ?? sim.batchSlowdown) !== undefined ? "simple" : "roofline";
}

/**
 * The embedded simulator of a config without url. With a gpu preset the served model is `sim.model`
 * (the catalog id), else the run's `model`; on the default preset `sim.model` picks the catalog
 * model and `model` only names it; with the simple timing any name is served (default sim-model).
 * @throws BenchError naming the `sim.*` field: unknown GPU or model, a model that does not fit, a preset setting without `sim.gpu`.
 */
export function embeddedSimOptions(config: RunConfig): EmbeddedSim {
  const { timing: _timing, ttftMs, perTokenMs, batchSlowdown, trace, dialect, faults, reasoningTokens, ...given } = config.sim;
  const timing = embeddedTiming(config.sim);
  try {
    if (timing === "simple" && (given.gpu !== undefined || given.modelConfig !== undefined)) {
      const field = given.gpu !== undefined ? "sim.gpu" : "sim.modelConfig";
      throw new BenchError("E_BAD_FLAG", `\`sim.timing\` simple: has no GPU or model to simulate; drop \`${field}\` or \`sim.timing\``, {
        where: "sim.timing",
      });
    }
    const named = timing === "roofline" && given.gpu === undefined && given.modelConfig === undefined ? DEFAULT_RUN_PRESET : undefined;
    const settings =
      named === undefined ? given : { ...given, gpu: named.gpu, model: given.model ?? named.model, maxModelLen: given.maxModelLen ?? named.maxModelLen };
    // On the named preset --model only names what is served; with --sim-gpu it is the catalog id.
    const catalogModel = named === undefined ? (settings.model ?? config.model) : settings.model;
    const served = named === undefined ? catalogModel : (given.model ?? config.model ?? settings.model);
    const simple = {
      ttftMs: ttftMs ?? SIMPLE_DEFAULTS.ttftMs,
      perTokenMs: perTokenMs ?? SIMPLE_DEFAULTS.perTokenMs,
      batchSlowdown: batchSlowdown ?? SIMPLE_DEFAULTS.batchSlowdown,
    };
    const options: SimulatorOptions = {
      ...simOptionsFromSettings({ ...settings, model: catalogModel }),
      model: served ?? DEFAULT_SIM_MODEL,
      ...simple,
      // One seed for the run: same seed, same faults and EOS draws.
      seed: config.seed,
      ...(trace === undefined ? {} : { trace }),
      ...(dialect === undefined ? {} : { dialect }),
      ...(faults === undefined ? {} : { faults }),
      ...(reasoningTokens === undefined ? {} : { reasoningTokens }),
    };
    const resolved = resolveSimulatorOptions({ ...options, trace: undefined });
    const timingText = `simple timing: ttft ${simple.ttftMs} ms, ${simple.perTokenMs} ms/token, batch slowdown ${simple.batchSlowdown}`;
    return { options, info: describeSimulator(resolved, timingText, faults, named?.name) };
  } catch (error) {
    throw underSim(error);
  }
}

/** The simulator names its own settings (`tp`); in a run config they live under `sim` (`sim.tp`). */
function underSim(error: unknown): unknown {
  if (!(error instanceof BenchError)) return error;
  const path = (name: string): string => (Object.hasOwn(simConfigSchema.shape, name) ? `sim.${name}` : name);
  const message = error.message.replace(/`([A-Za-z]+)`/g, (_, name: string) => `\`${path(name)}\``);
  return new BenchError(error.code, message, { ...(error.where === undefined ? {} : { where: path(error.where) }), cause: error });
}

function describeSimulator(r: ResolvedSimulatorOptions, timing: string, faults: string | undefined, presetName: string | undefined): SimulatorInfo {
  const coldStart = r.engine.coldStartMs > 0 ? `, cold start ${r.engine.coldStartMs} ms` : "";
  const extras = `${coldStart}${r.dialect.name === "vllm" ? "" : `, ${r.dialect.name} dialect`}${faults === undefined ? "" : `, faults ${faults}`}`;
  const common = { model: r.model, dialect: r.dialect.name, max_model_len: r.maxModelLen, ...(faults === undefined ? {} : { faults }) };
  if (r.preset === undefined) {
    const limit = Number.isFinite(r.engine.maxNumSeqs) ? `, max_num_seqs ${r.engine.maxNumSeqs}` : "";
    return { engine: "simple", description: `${r.model}, ${timing}${limit}${extras}`, ...common };
  }
  const d = r.preset.deployment;
  return {
    engine: "roofline",
    description: `${presetName === undefined ? "" : `preset ${presetName}: `}${describePreset(r.preset)}${extras}`,
    ...common,
    ...(presetName === undefined ? {} : { preset: presetName }),
    gpu: d.gpu.id,
    dtype: d.dtype,
    kv_dtype: d.kvDtype,
    tp: d.tp,
    pp: d.pp,
  };
}
