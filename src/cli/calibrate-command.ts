// Owns `servebench calibrate RUN_DIR`: fits the simulator's constants to a measured run with the
// preset flags, prints the before/after error per level and metric, writes the profile JSON.

import { join } from "node:path";
import { calibrate, medianAbsErrorPct, pointsFromRunDir } from "../run/calibrate.js";
import type { PointError } from "../run/calibrate.js";
import { parseList, parseNonNegativeInt } from "../config/units.js";
import { writeFileAtomic } from "../report/run-dir.js";
import { loadTokenizer } from "../workload/tokenizer.js";
import { BenchError } from "../errors.js";
import { resolveSimulatorOptions } from "../sim/options.js";
import { EXIT } from "./exit-codes.js";
import { printListings, simOptionsFromFlags } from "./sim-flags.js";

type Raw = Record<string, string | boolean | undefined>;

function table(before: readonly PointError[], after: readonly PointError[]): string {
  const lines = ["point                       metric        measured   before (err)          after (err)"];
  before.forEach((b, i) => {
    const a = after[i];
    const cell = (e: PointError | undefined): string =>
      e === undefined ? "—" : `${e.predicted.toFixed(1)} (${e.errorPct >= 0 ? "+" : ""}${e.errorPct.toFixed(1)}%)`;
    lines.push(
      `${`${b.label}${b.fit ? "" : " [held out]"}`.padEnd(27)} ${b.metric.padEnd(13)} ${b.measured.toFixed(1).padStart(9)}   ${cell(b).padEnd(21)} ${cell(a)}`,
    );
  });
  return `${lines.join("\n")}\n`;
}

export async function calibrateCommand(dir: string, raw: Raw): Promise<number> {
  if (printListings(raw, (s) => process.stdout.write(s))) return EXIT.ok;
  if (typeof raw.gpu !== "string")
    throw new BenchError("E_BAD_FLAG", "calibrate: needs a hardware preset (--gpu, and --model unless the run's model is in the catalog)", { where: "--gpu" });
  const fitLevels = typeof raw.levels === "string" ? parseList(raw.levels, "--levels", parseNonNegativeInt) : undefined;
  const run = pointsFromRunDir(dir, fitLevels);
  const model = typeof raw.model === "string" ? raw.model : run.model;
  const sim = simOptionsFromFlags(raw, model);
  // An unknown model or a preset that does not fit fails now, not after the tokenizer loads.
  resolveSimulatorOptions(sim);
  const tokenizer = await loadTokenizer(typeof raw.tokenizer === "string" ? raw.tokenizer : run.tokenizer);
  const points = run.points;
  process.stderr.write(
    `servebench calibrate: fitting ${points.filter((p) => p.fit).length} of ${points.length} levels of ${dir} (each evaluation re-predicts them)\n`,
  );
  const result = await calibrate(points, { ...sim, model }, { tokenizer });
  process.stdout.write(table(result.before, result.after));
  const med = (errors: readonly PointError[], fit: boolean | undefined): string => {
    const chosen = fit === undefined ? errors : errors.filter((e) => e.fit === fit);
    return chosen.length === 0 ? "—" : `${medianAbsErrorPct(chosen).toFixed(1)}%`;
  };
  process.stdout.write(
    `median |error|: before ${med(result.before, undefined)}, after ${med(result.after, undefined)} (held-out levels: before ${med(result.before, false)}, after ${med(result.after, false)})\n`,
  );
  const out = typeof raw.out === "string" ? raw.out : join(dir, "sim-profile.json");
  const fitted = Object.fromEntries(result.fitted.map((k) => [k, Math.round(result.profile[k] * 10_000) / 10_000]));
  writeFileAtomic(
    out,
    `${JSON.stringify({ $comment: "servebench calibrate output; use with --sim-profile", source: dir, gpu: raw.gpu, model, fitted: result.fitted, profile: { ...result.profile, ...fitted }, before: result.before, after: result.after }, null, 2)}\n`,
  );
  process.stdout.write(`profile: ${out} (use with --sim-profile on simulate or predict)\n`);
  return EXIT.ok;
}
