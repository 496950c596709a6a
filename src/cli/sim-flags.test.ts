// Unit: the one preset-flag table parsed in both spellings: simulate's bare flags and run's --sim-*.

import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import { addRunFlags, runConfigFromFlags } from "./run-flags.js";
import { addEmbeddedSimFlags, addSimPresetFlags, simOptionsFromFlags, simSettingsFromFlags } from "./sim-flags.js";

function runOpts(args: string[]): Record<string, string | boolean | undefined> {
  const cmd = addEmbeddedSimFlags(addRunFlags(new Command("run").exitOverride().configureOutput({ writeErr: () => {} })));
  cmd.parse(args, { from: "user" });
  return cmd.opts();
}

describe("simulator preset flags", () => {
  it("run: --sim-* flags become the config's sim section, parsed like simulate's", () => {
    const opts = runOpts([
      "--sim-gpu",
      "H100-SXM",
      "--sim-model",
      "Qwen/Qwen3-32B",
      "--sim-dtype",
      "fp8",
      "--sim-tp",
      "2",
      "--sim-pp",
      "1",
      "--sim-max-model-len",
      "10928",
      "--no-sim-prefix-caching",
      "--sim-enforce-eager",
      "--sim-gpu-memory-utilization",
      "0.85",
      "--sim-max-num-seqs",
      "64",
      "--sim-dialect",
      "sglang",
      "--sim-faults",
      "reset=0.01",
    ]);
    expect(runConfigFromFlags(opts).sim).toEqual({
      gpu: "H100-SXM",
      model: "Qwen/Qwen3-32B",
      dtype: "fp8",
      tp: 2,
      pp: 1,
      maxModelLen: 10928,
      prefixCaching: false,
      enforceEager: true,
      gpuMemoryUtilization: 0.85,
      maxNumSeqs: 64,
      dialect: "sglang",
      faults: "reset=0.01",
    });
    // The simple timing's defaults (ttft 30 ms, …) are filled by embedded-sim.ts, which can then tell a given value from a default.
    expect(resolveRunConfig(runConfigFromFlags(opts)).sim).toMatchObject({ gpu: "H100-SXM" });
    expect(resolveRunConfig(runConfigFromFlags(opts)).sim.ttftMs).toBeUndefined();
    expect(runConfigFromFlags(runOpts(["--sim-timing", "simple"])).sim).toEqual({ timing: "simple" });
  });

  it("run: bad values name the --sim-* flag", () => {
    expect(() => runConfigFromFlags(runOpts(["--sim-tp", "0"]))).toThrow('--sim-tp: "0" is not a positive integer');
    expect(() => runConfigFromFlags(runOpts(["--sim-gpu-memory-utilization", "2"]))).toThrow('--sim-gpu-memory-utilization: "2" is not a number in (0, 1]');
    expect(() => runOpts(["--sim-dtype", "fp7"])).toThrow(/argument 'fp7' is invalid/);
    expect(() => runConfigFromFlags(runOpts(["--url", "http://127.0.0.1:1", "--sim-model", "Qwen/Qwen3-8B"]))).toThrow(
      /^--sim-model: configures the embedded simulator/,
    );
    expect(() => resolveRunConfig(runConfigFromFlags(runOpts(["--url", "http://127.0.0.1:1", "--sim-tp", "2"])))).toThrow(
      /^--sim-tp: configures the embedded simulator/,
    );
  });

  it("simulate: the same table with bare names; the two spellings do not read each other", () => {
    const cmd = addSimPresetFlags(new Command("simulate").exitOverride());
    cmd.parse(["--gpu", "B200", "--kv-dtype", "fp8", "--tp", "4", "--no-prefix-caching", "--spec-tokens", "3"], { from: "user" });
    const raw = cmd.opts();
    expect(simSettingsFromFlags(raw, "simulate")).toEqual({ gpu: "B200", kvDtype: "fp8", tp: 4, prefixCaching: false, specTokens: 3 });
    expect(simSettingsFromFlags(raw, "run")).toEqual({});
    expect(simOptionsFromFlags(raw, "Qwen/Qwen3-8B")).toMatchObject({
      prefixCaching: false,
      speculative: { draftTokens: 3 },
      preset: { gpu: "B200", model: "Qwen/Qwen3-8B", tp: 4, kvDtype: "fp8" },
    });
  });
});
