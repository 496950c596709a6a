// End-to-end: `run --sim-gpu … --sim-model …` benchmarks the roofline engine in-process, and its
// run directory says which GPU, model, dtype, TP and PP it stood for; bad presets exit 2.

import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "servebench-sim-preset-"));

describe("servebench run with an embedded simulator preset", () => {
  it("serves the preset's model on the roofline engine and describes it in the results", async () => {
    const out = join(tmp, "preset");
    const r = await runCli([
      "run",
      "--sim-gpu",
      "H100-SXM",
      "--sim-model",
      "Qwen/Qwen3-0.6B",
      "--sim-dtype",
      "fp8",
      "--sim-tp",
      "2",
      "--sim-max-model-len",
      "4096",
      "--concurrency",
      "1,2",
      "--requests",
      "2",
      "--input-tokens",
      "48",
      "--output-tokens",
      "6",
      "--strict",
      "--out",
      out,
    ]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/embedded simulator: Qwen\/Qwen3-0\.6B fp8 on H100-SXM tp=2 pp=1: .*max_model_len 4096/);
    for (const f of ["config.json", "requests.jsonl", "summary.json", "summary.md", "env.json"]) expect(existsSync(join(out, f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      run: { model: string; embedded_simulator: boolean; max_model_len: number; simulator: Record<string, unknown> };
      levels: Array<{ requests: { completed: number }; strict: { mismatched: number } }>;
    };
    expect(summary.run).toMatchObject({ model: "Qwen/Qwen3-0.6B", embedded_simulator: true, max_model_len: 4096 });
    expect(summary.run.simulator).toMatchObject({ engine: "roofline", model: "Qwen/Qwen3-0.6B", gpu: "H100-SXM", dtype: "fp8", tp: 2, pp: 1, dialect: "vllm" });
    expect(summary.levels.map((l) => [l.requests.completed, l.strict.mismatched])).toEqual([
      [2, 0],
      [2, 0],
    ]);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toMatch(/^- Target: embedded simulator: Qwen\/Qwen3-0\.6B fp8 on H100-SXM tp=2 pp=1: /m);
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as { sim: Record<string, unknown> };
    expect(config.sim).toMatchObject({ gpu: "H100-SXM", model: "Qwen/Qwen3-0.6B", dtype: "fp8", tp: 2, maxModelLen: 4096 });
    const report = await runCli(["report", out, "--out", join(tmp, "report"), "--no-png"]);
    expect(report.code).toBe(0);
    expect(readFileSync(join(tmp, "report", "report.html"), "utf8")).toMatch(/embedded simulator: Qwen\/Qwen3-0\.6B fp8 on H100-SXM tp=2 pp=1/);
  });

  it("without --sim-gpu runs the roofline engine on the named default preset and says so", async () => {
    const out = join(tmp, "default");
    const r = await runCli(["run", "--concurrency", "1", "--requests", "1", "--input-tokens", "16", "--output-tokens", "4", "--strict", "--out", out]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^embedded simulator: preset rtx-4070-qwen3-8b-awq: Qwen\/Qwen3-8B-AWQ awq on RTX-4070 tp=1 pp=1: .*max_model_len 16384/m);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { run: { simulator: Record<string, unknown> } };
    expect(summary.run.simulator).toMatchObject({ engine: "roofline", preset: "rtx-4070-qwen3-8b-awq", gpu: "RTX-4070", dtype: "awq", max_model_len: 16384 });
  });

  const bad: Array<[string, string[], RegExp]> = [
    [
      "unknown GPU",
      ["--sim-gpu", "H900", "--sim-model", "Qwen/Qwen3-0.6B"],
      /^servebench: --sim-gpu: unknown GPU "H900" \(known: .*H100-SXM.*; see --list-gpus\)$/m,
    ],
    [
      "unknown model",
      ["--sim-gpu", "H100-SXM", "--sim-model", "acme/Nope"],
      /^servebench: --sim-model: "acme\/Nope" is not in the catalog \(see --list-models/m,
    ],
    [
      "preset with --url",
      ["--url", "http://127.0.0.1:9", "--sim-gpu", "H100-SXM"],
      /^servebench: --sim-gpu: configures the embedded simulator, which --url replaces/m,
    ],
  ];
  for (const [name, args, pattern] of bad) {
    it(`${name}: one line naming the flag, exit 2`, async () => {
      const r = await runCli(["run", ...args, "--concurrency", "1", "--requests", "1", "--out", join(tmp, "bad")]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    });
  }

  it("run --list-gpus prints the catalog --sim-gpu takes", async () => {
    const r = await runCli(["run", "--list-gpus"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^H100-SXM\s+80 GB/m);
  });
});
