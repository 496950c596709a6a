// Owns what `run` without a url starts: RunConfig.sim → SimulatorOptions through the same preset
// translation as `simulate` (errors in run's --sim-* spelling), checked before anything slow, and
// the description of that simulator a run's summary carries. Starting it is target.ts's job.

import type { RunConfig } from "../config/run-config.js";
import type { SimulatorInfo } from "../results/run-summary.js";
import { DEFAULT_SIM_MODEL, describePreset, renameSimFlags, resolveSimulatorOptions, simOptionsFromSettings } from "../sim/index.js";
import type { ResolvedSimulatorOptions, SimulatorOptions } from "../sim/index.js";

export interface EmbeddedSim {
  /** Everything but the tokenizer hooks, which target.ts adds. */
  options: SimulatorOptions;
  info: SimulatorInfo;
}

/**
 * The embedded simulator of a config without url. The served model is `sim.model`, else the run's
 * `model` (so `--model X` is served), else sim-model; with a gpu preset it is also the catalog id.
 * @throws BenchError naming the --sim-* flag: unknown GPU or model, a model that does not fit, a preset setting without --sim-gpu.
 */
export function embeddedSimOptions(config: RunConfig): EmbeddedSim {
  const { ttftMs, perTokenMs, batchSlowdown, trace, dialect, faults, reasoningTokens, ...settings } = config.sim;
  const model = settings.model ?? config.model;
  try {
    const options: SimulatorOptions = {
      ...simOptionsFromSettings({ ...settings, model }, "run"),
      model: model ?? DEFAULT_SIM_MODEL,
      ttftMs,
      perTokenMs,
      batchSlowdown,
      // One seed for the run: same seed, same faults and EOS draws.
      seed: config.seed,
      ...(trace === undefined ? {} : { trace }),
      ...(dialect === undefined ? {} : { dialect }),
      ...(faults === undefined ? {} : { faults }),
      ...(reasoningTokens === undefined ? {} : { reasoningTokens }),
    };
    const resolved = resolveSimulatorOptions({ ...options, trace: undefined });
    const timing = `simple timing: ttft ${ttftMs} ms, ${perTokenMs} ms/token, batch slowdown ${batchSlowdown}`;
    return { options, info: describeSimulator(resolved, timing, faults) };
  } catch (error) {
    throw renameSimFlags(error, "run");
  }
}

function describeSimulator(r: ResolvedSimulatorOptions, timing: string, faults: string | undefined): SimulatorInfo {
  const extras = `${r.dialect.name === "vllm" ? "" : `, ${r.dialect.name} dialect`}${faults === undefined ? "" : `, faults ${faults}`}`;
  const common = { model: r.model, dialect: r.dialect.name, max_model_len: r.maxModelLen, ...(faults === undefined ? {} : { faults }) };
  if (r.preset === undefined) {
    const limit = Number.isFinite(r.engine.maxNumSeqs) ? `, max_num_seqs ${r.engine.maxNumSeqs}` : "";
    return { engine: "simple", description: `${r.model}, ${timing}${limit}${extras}`, ...common };
  }
  const d = r.preset.deployment;
  return {
    engine: "roofline",
    description: `${describePreset(r.preset)}${extras}`,
    ...common,
    gpu: d.gpu.id,
    dtype: d.dtype,
    kv_dtype: d.kvDtype,
    tp: d.tp,
    pp: d.pp,
  };
}
