// Owns `servebench predict`: `run`'s flags plus the simulator preset flags → predictRun in virtual
// time; the table on stdout, the run directory written with run.predicted, the speed-up on stderr.

import { resolveRunConfig } from "../config/resolve-run-config.js";
import { embeddedSimOptions } from "../run/embedded-sim.js";
import { predictRun } from "../run/predict.js";
import { describeCrossover, specCrossover } from "../run/spec-crossover.js";
import type { RunSummary } from "../results/run-summary.js";
import type { PredictSimOptions } from "../run/predict.js";
import { renderConsoleTable } from "../report/console.js";
import { BenchError } from "../errors.js";
import { runOnlyFlags } from "../config/run-flag-table.js";
import { describePreset, resolveSimulatorOptions } from "../sim/index.js";
import { EXIT } from "./exit-codes.js";
import { createProgressRenderer } from "./progress-renderer.js";
import { runConfigFromFlags } from "./run-flags.js";
import { printListings, simOptionsFromFlags, simSettingsFromFlags } from "./sim-flags.js";

type Raw = Record<string, string | boolean | undefined>;

/**
 * The simulator for predict: --gpu presets; else the one `run` would start without --url (the
 * default preset, or the simple timing when --sim-timing simple or a simple-timing value asks).
 */
export function predictSimFromFlags(opts: Raw): { sim: PredictSimOptions; description: string } {
  const input = runConfigFromFlags(opts);
  const sim: PredictSimOptions = simOptionsFromFlags(opts, input.model);
  if (sim.preset !== undefined) {
    const preset = resolveSimulatorOptions({ ...sim, port: 0 }).preset;
    return { sim, description: preset === undefined ? String(sim.model) : describePreset(preset) };
  }
  // Without --gpu only the scheduler settings are left (simOptionsFromFlags refused the rest), as run's --sim-* spell them.
  const settings = simSettingsFromFlags(opts, "simulate") as NonNullable<typeof input.sim>;
  const config = resolveRunConfig({ ...input, sim: { ...input.sim, ...settings } });
  const { options, info } = embeddedSimOptions(config);
  const { clock: _clock, host: _host, port: _port, trace: _trace, spinMs: _spinMs, ...embedded } = options;
  return { sim: embedded, description: info.description };
}

/** Tokens a decoding stream attends to on average in this prediction: mean prompt plus half the mean answer. */
function contextOf(summary: RunSummary): number {
  let requests = 0;
  let tokens = 0;
  for (const l of summary.levels) {
    requests += l.requests.completed;
    tokens += l.input_tokens_total + l.output_tokens_total / 2;
  }
  return Math.max(1, Math.round(tokens / Math.max(1, requests)));
}

export async function predictCommand(opts: Raw): Promise<number> {
  if (printListings(opts, (s) => process.stdout.write(s))) return EXIT.ok;
  // Every flag about real servers, processes and clocks (the flag table's run-only rows).
  for (const { attribute, flag, why } of runOnlyFlags()) {
    if (opts[attribute] !== undefined) throw new BenchError("E_BAD_FLAG", `${flag}: not for predict (${why})`, { where: flag });
  }
  const input = runConfigFromFlags(opts);
  const { sim, description } = predictSimFromFlags(opts);
  // The cost of the predicted deployment is for all of its GPUs: --tp × --pp unless --gpu-count says.
  if (input.gpuCount === undefined) {
    const preset = simSettingsFromFlags(opts, "simulate");
    input.gpuCount = (preset.tp ?? 1) * (preset.pp ?? 1);
  }
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on("SIGINT", onSignal);
  try {
    if (opts.quiet !== true) process.stderr.write(`servebench predict: ${description}\n`);
    const progress = createProgressRenderer(process.stderr, opts.quiet === true);
    const result = await predictRun(input, sim, { onProgress: progress, signal: controller.signal });
    process.stdout.write(renderConsoleTable(result.summary));
    const crossover = specCrossover(sim, contextOf(result.summary));
    if (crossover !== undefined) process.stdout.write(`${describeCrossover(crossover)}\n`);
    process.stdout.write(`results: ${result.dir}\n`);
    process.stderr.write(
      `servebench: PREDICTED, not measured: ${result.simulatedS.toFixed(1)} s of serving simulated in ${result.wallS.toFixed(2)} s ` +
        `(${Math.round(result.speedup)}× real time)\n`,
    );
    return result.interrupted ? EXIT.interrupted : EXIT.ok;
  } finally {
    process.off("SIGINT", onSignal);
  }
}
