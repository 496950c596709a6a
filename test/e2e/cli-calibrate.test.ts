// End-to-end: the sizing loop a user runs from the shell. `run` measures a server (the embedded
// simulator, its constants deliberately off the defaults: the "real GPU"), `calibrate RUN_DIR`
// fits the constants and writes sim-profile.json, and `predict --sim-profile` then forecasts
// another load on that server better than the defaults do.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "servebench-calibrate-"));
const PRESET = ["--gpu", "H100-SXM", "--model", "Qwen/Qwen3-8B"];
const WORKLOAD = ["--input-tokens", "256", "--output-tokens", "32", "--requests", "8"];

interface Level {
  ttft_ms: { mean: number };
  tpot_ms: { mean: number };
}

function level(dir: string): Level {
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as { levels: Level[] };
  return summary.levels[0] as Level;
}

/** Mean |error| % of a predicted level's TTFT and TPOT against a measured one. */
function errorPct(predicted: Level, measured: Level): number {
  const e = (p: number, m: number): number => Math.abs(p / m - 1) * 100;
  return (e(predicted.ttft_ms.mean, measured.ttft_ms.mean) + e(predicted.tpot_ms.mean, measured.tpot_ms.mean)) / 2;
}

describe("servebench calibrate RUN_DIR", () => {
  it("fits a measured run, prints before/after, and its profile improves predict on another load", async () => {
    // The "real GPU": 55 % of HBM bandwidth and 5 ms per step, where the defaults say 85 % and 2 ms.
    const truth = join(tmp, "truth.json");
    writeFileSync(truth, JSON.stringify({ memoryEfficiency: 0.55, stepOverheadMs: 5 }));
    const server = ["--sim-gpu", "H100-SXM", "--sim-model", "Qwen/Qwen3-8B", "--sim-profile", truth, "--no-metrics", "--quiet"];
    const measured = join(tmp, "measured");
    const other = join(tmp, "other-load");
    for (const [out, concurrency] of [
      [measured, "1,8"],
      [other, "4"],
    ] as const) {
      const r = await runCli(["run", ...server, ...WORKLOAD, "--concurrency", concurrency, "--out", out], { timeoutMs: 90_000 });
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.code).toBe(0);
    }

    const cal = await runCli(["calibrate", measured, ...PRESET], { timeoutMs: 90_000 });
    expect(cal.stderr).not.toMatch(/internal error/);
    expect(cal.code).toBe(0);
    const text = cal.stdout + cal.stderr;
    expect(text).toMatch(/level 0 \(c=1\)\s+ttft_ms/);
    expect(text).toMatch(/level 1 \(c=8\)\s+tpot_ms/);
    const median = /median \|error\|: before ([\d.]+)%, after ([\d.]+)%/.exec(text);
    expect(median).not.toBeNull();
    const [before, after] = [Number(median?.[1]), Number(median?.[2])];
    expect(after).toBeLessThan(before / 3);
    const profilePath = join(measured, "sim-profile.json");
    const written = JSON.parse(readFileSync(profilePath, "utf8")) as { gpu: string; model: string; fitted: string[]; profile: Record<string, number> };
    expect(written).toMatchObject({ gpu: "H100-SXM", model: "Qwen/Qwen3-8B" });
    expect(written.fitted).toContain("memoryEfficiency");
    expect(written.profile["stepOverheadMs"]).toBeGreaterThan(2); // moved from the default towards the truth

    // The held-out load (c=4), predicted with the defaults and with the fitted profile.
    const predicted = async (extra: string[], out: string): Promise<Level> => {
      const r = await runCli(["predict", ...PRESET, ...extra, ...WORKLOAD, "--concurrency", "4", "--out", out, "--quiet"], { timeoutMs: 60_000 });
      expect(r.code).toBe(0);
      return level(out);
    };
    const withDefaults = await predicted([], join(tmp, "predict-default"));
    const withProfile = await predicted(["--sim-profile", profilePath], join(tmp, "predict-calibrated"));
    const target = level(other);
    expect(errorPct(withProfile, target)).toBeLessThan(errorPct(withDefaults, target) / 2);
    // Checking a prediction against the measurement: compare says which side is which.
    const compared = await runCli(["compare", other, join(tmp, "predict-calibrated"), "--resamples", "100"]);
    expect(compared.code).toBe(0);
    expect(compared.stdout).toMatch(/^A: .*\(other-load\)$/m);
    expect(compared.stdout).toMatch(/^B: .*\(predict-calibrated, PREDICTED, not measured\)$/m);
  });

  it("refuses what it cannot fit, naming why, before any work: a prediction, no preset", async () => {
    const predicted = join(tmp, "a-prediction");
    const p = await runCli(["predict", ...PRESET, ...WORKLOAD, "--concurrency", "1", "--out", predicted, "--quiet"]);
    expect(p.code).toBe(0);
    const fromPrediction = await runCli(["calibrate", predicted, ...PRESET]);
    expect(fromPrediction.code).toBe(2);
    expect(fromPrediction.stderr).toMatch(/^servebench: calibrate: .*a-prediction is a prediction \(servebench predict\), not a measurement/m);
    const noPreset = await runCli(["calibrate", predicted]);
    expect(noPreset.code).toBe(2);
    expect(noPreset.stderr).toMatch(/^servebench: calibrate: needs a hardware preset \(--gpu/m);
    for (const r of [fromPrediction, noPreset]) expect(r.stderr).not.toMatch(/fitting|internal error/);
  });

  it("--levels must name levels the run has", async () => {
    const measured = join(tmp, "one-level");
    const r = await runCli([
      "run",
      "--sim-gpu",
      "H100-SXM",
      "--sim-model",
      "Qwen/Qwen3-8B",
      ...WORKLOAD,
      "--concurrency",
      "2",
      "--no-metrics",
      "--quiet",
      "--out",
      measured,
    ]);
    expect(r.code).toBe(0);
    const cal = await runCli(["calibrate", measured, ...PRESET, "--levels", "0,5"]);
    expect(cal.code).toBe(2);
    expect(cal.stderr).toMatch(/^servebench: --levels: .*one-level has levels 0–0, not 5$/m);
  });
});
