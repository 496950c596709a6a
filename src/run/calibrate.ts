// Owns calibration: fitting the simulator's efficiency constants (SimProfile) to measured TTFT and
// TPOT by re-predicting the measured workloads, a MAP fit in log space (priors around the defaults
// keep constants the data cannot pin down where they were), and the before/after errors.

import { parseSummary } from "../results/summary-schema.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunConfigInput } from "../config/run-config.js";
import { BenchError } from "../errors.js";
import type { LevelSummary } from "../metrics/level.js";
import { defaultProfile, findGpu, mergeProfile } from "../sim/index.js";
import type { PresetOptions, SimProfile } from "../sim/index.js";
import type { TextTokenizer } from "../workload/tokenizer.js";
import { nelderMead } from "./nelder-mead.js";
import { newPredictCache, predictRun } from "./predict.js";
import type { PredictCache, PredictSimOptions } from "./predict.js";

export interface MeasuredLevel {
  ttftMs?: number | undefined;
  tpotMs?: number | undefined;
  outputTokensPerS?: number | undefined;
  e2eMs?: number | undefined;
}

export interface CalibrationPoint {
  label: string;
  /** The workload and load of this point (its levels are compared with `measured` in order). */
  config: RunConfigInput;
  measured: MeasuredLevel[];
  /** True: the fit uses this point; false: it is only predicted (held out). */
  fit: boolean;
  /** This point's own simulator (another model, dtype or GPU); the fitted factors apply to its own GPU's defaults. */
  sim?: PredictSimOptions;
}

export interface PointError {
  label: string;
  metric: "ttft_ms" | "tpot_ms" | "output_tokens_per_s" | "e2e_ms";
  measured: number;
  predicted: number;
  /** (predicted − measured) / measured × 100 */
  errorPct: number;
  fit: boolean;
}

export interface CalibrationResult {
  /** The fitted constants for the base preset's GPU (other points' GPUs get the same factors on their own defaults). */
  profile: SimProfile;
  fitted: (keyof SimProfile)[];
  before: PointError[];
  after: PointError[];
  evaluations: number;
}

/** What calibration fits, and how far (log-space σ) each constant may move from its default per unit of evidence. */
const PRIORS: Partial<Record<keyof SimProfile, number>> = {
  memoryEfficiency: 0.25,
  gemmEfficiency: 0.3,
  stepOverheadMs: 0.7,
  perSeqOverheadMs: 1.0,
  frontendMs: 1.0,
};
/** Relative noise of a measured mean (run-to-run variation). */
const DATA_SIGMA = 0.05;

const METRICS: [PointError["metric"], keyof MeasuredLevel, (l: LevelSummary) => number | undefined][] = [
  ["ttft_ms", "ttftMs", (l) => l.ttft_ms?.mean],
  ["tpot_ms", "tpotMs", (l) => l.tpot_ms?.mean],
  ["e2e_ms", "e2eMs", (l) => l.e2e_ms?.mean],
  ["output_tokens_per_s", "outputTokensPerS", (l) => l.output_tokens_per_s],
];

/** A point's own starting constants: its GPU's defaults (a PCIe card's all-reduce, ROCm's BLAS split) under its preset's overrides. */
function startProfile(preset: PresetOptions): SimProfile {
  const gpu = typeof preset.gpu === "string" ? findGpu(preset.gpu) : preset.gpu;
  return mergeProfile(defaultProfile(gpu), preset.profile ?? {});
}

/** The fitted constants as factors on a starting profile (efficiencies capped at 1). */
function scaled(start: SimProfile, keys: readonly (keyof SimProfile)[], x: readonly number[]): SimProfile {
  const p = { ...start };
  keys.forEach((k, i) => {
    const v = start[k] * Math.exp(x[i] ?? 0);
    p[k] = k.endsWith("Efficiency") ? Math.min(1, v) : v;
  });
  return p;
}

/** Predicts every point with the factors `x` applied to that point's own starting constants. */
async function errorsFor(
  points: readonly CalibrationPoint[],
  sim: PredictSimOptions,
  keys: readonly (keyof SimProfile)[],
  x: readonly number[],
  caches: PredictCache[],
  tokenizer: TextTokenizer | undefined,
): Promise<PointError[]> {
  const out: PointError[] = [];
  for (const [i, point] of points.entries()) {
    const own = point.sim ?? sim;
    const preset = own.preset === undefined ? undefined : { ...own.preset, profile: scaled(startProfile(own.preset), keys, x) };
    const { summary } = await predictRun(
      point.config,
      { ...own, ...(preset === undefined ? {} : { preset }) },
      {
        noWrite: true,
        cache: caches[i] as PredictCache,
        ...(tokenizer === undefined ? {} : { tokenizer }),
      },
    );
    point.measured.forEach((m, level) => {
      const predictedLevel = summary.levels[level];
      if (predictedLevel === undefined) return;
      for (const [metric, key, pick] of METRICS) {
        const measured = m[key];
        const predicted = pick(predictedLevel);
        if (measured === undefined || predicted === undefined || !(measured > 0)) continue;
        out.push({ label: `${point.label}`, metric, measured, predicted, errorPct: ((predicted - measured) / measured) * 100, fit: point.fit });
      }
    });
  }
  return out;
}

/**
 * Fits the constants in PRIORS to the points marked `fit`.
 * @example const r = await calibrate([{ label: "c=1", config, measured: [{ ttftMs: 81, tpotMs: 47 }], fit: true }], { preset });
 */
export async function calibrate(
  points: readonly CalibrationPoint[],
  sim: PredictSimOptions,
  options: { tokenizer?: TextTokenizer; maxEvaluations?: number } = {},
): Promise<CalibrationResult> {
  if (sim.preset === undefined) throw new BenchError("E_BAD_FLAG", "calibrate: needs a hardware preset (--gpu and --model)", { where: "--gpu" });
  const start = startProfile(sim.preset);
  const keys = Object.keys(PRIORS) as (keyof SimProfile)[];
  const caches = points.map(() => newPredictCache());
  const before = await errorsFor(points, sim, keys, [], caches, options.tokenizer);
  const fitPoints = points.filter((p) => p.fit);
  const fitCaches = caches.filter((_, i) => points[i]?.fit === true);
  const objective = async (x: number[]): Promise<number> => {
    const errors = await errorsFor(fitPoints, sim, keys, x, fitCaches, options.tokenizer);
    let loss = 0;
    for (const e of errors) loss += (Math.log(e.predicted / e.measured) / DATA_SIGMA) ** 2;
    keys.forEach((k, i) => (loss += ((x[i] ?? 0) / (PRIORS[k] ?? 1)) ** 2));
    return loss;
  };
  const result = await nelderMead(
    objective,
    keys.map(() => 0),
    keys.map((k) => (PRIORS[k] ?? 1) / 2),
    { maxEvaluations: options.maxEvaluations ?? 120 },
  );
  const profile = scaled(start, keys, result.x);
  const after = await errorsFor(points, sim, keys, result.x, caches, options.tokenizer);
  return { profile, fitted: keys, before, after, evaluations: result.evaluations };
}

/** One point per level of a measured run directory (config.json + summary.json); `fitLevels` selects which are fitted. */
export function pointsFromRunDir(
  dir: string,
  fitLevels: readonly number[] | undefined,
): { points: CalibrationPoint[]; model: string; tokenizer: string | undefined } {
  const read = (name: string): unknown => {
    try {
      return JSON.parse(readFileSync(join(dir, name), "utf8"));
    } catch (cause) {
      throw new BenchError("E_IO", `calibrate: cannot read ${join(dir, name)}: ${(cause as Error).message}`, { where: dir, cause });
    }
  };
  const config = read("config.json") as Record<string, unknown>;
  const summary = parseSummary(read("summary.json"), join(dir, "summary.json"));
  if (summary.run?.predicted === true) {
    throw new BenchError(
      "E_BAD_CONFIG",
      `calibrate: ${dir} is a prediction (servebench predict), not a measurement: calibrate fits the simulator to a run measured against a real server`,
      { where: dir },
    );
  }
  const { url: _url, out: _out, target: _target, embedded_simulator: _e, predicted: _p, simulator: _s, ...rest } = config;
  const base = rest as RunConfigInput;
  const points = summary.levels.map((level, i): CalibrationPoint => {
    const load = level.load.kind === "concurrency" ? { concurrency: [level.load.concurrency] } : { rate: [level.load.rate_per_s] };
    const { concurrency: _c, rate: _r, ...withoutLoad } = base;
    return {
      label: `level ${i} (${level.load.kind === "concurrency" ? `c=${level.load.concurrency}` : `${level.load.rate_per_s} req/s`})`,
      config: { ...withoutLoad, ...load, profile: "levels" },
      measured: [{ ttftMs: level.ttft_ms?.mean, tpotMs: level.tpot_ms?.mean }],
      fit: fitLevels === undefined || fitLevels.includes(i),
    };
  });
  if (points.length === 0) throw new BenchError("E_BAD_CONFIG", `calibrate: ${dir}/summary.json has no levels`, { where: dir });
  const missing = (fitLevels ?? []).filter((l) => l >= points.length);
  if (missing.length > 0) {
    throw new BenchError("E_BAD_FLAG", `--levels: ${dir} has levels 0–${points.length - 1}, not ${missing.join(", ")}`, { where: "--levels" });
  }
  return { points, model: String(config["model"] ?? summary.run.model), tokenizer: typeof config["tokenizer"] === "string" ? config["tokenizer"] : undefined };
}

/** Median of |errorPct| over the given errors. */
export function medianAbsErrorPct(errors: readonly PointError[]): number {
  const v = errors.map((e) => Math.abs(e.errorPct)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}
