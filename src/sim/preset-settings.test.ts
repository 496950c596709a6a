// Unit: preset settings → SimulatorOptions, and the flag names errors use in each command's spelling.

import { describe, expect, it } from "vitest";
import { BenchError } from "../errors.js";
import { presetFlag, renameSimFlags, simOptionsFromSettings } from "./preset-settings.js";
import { resolvePreset } from "./preset.js";

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
}

describe("preset settings", () => {
  it("spells each flag as simulate and as run do", () => {
    expect([presetFlag("tp", "simulate"), presetFlag("tp", "run")]).toEqual(["--tp", "--sim-tp"]);
    expect([presetFlag("prefixCaching", "simulate"), presetFlag("prefixCaching", "run")]).toEqual(["--no-prefix-caching", "--no-sim-prefix-caching"]);
    expect([presetFlag("profile", "simulate"), presetFlag("profile", "run")]).toEqual(["--sim-profile", "--sim-profile"]);
    expect(presetFlag("maxModelLen", "run")).toBe("--sim-max-model-len");
  });

  it("builds a preset from a GPU and a model, and only scheduler limits without a GPU", () => {
    expect(simOptionsFromSettings({ gpu: "H100-SXM", model: "Qwen/Qwen3-8B", dtype: "fp8", tp: 2, maxModelLen: 8192 })).toEqual({
      maxModelLen: 8192,
      preset: { gpu: "H100-SXM", model: "Qwen/Qwen3-8B", dtype: "fp8", kvDtype: undefined, tp: 2, pp: undefined, enforceEager: false, draftModel: undefined },
    });
    expect(simOptionsFromSettings({ maxNumSeqs: 4, prefixCaching: false, specTokens: 2 })).toEqual({
      maxNumSeqs: 4,
      prefixCaching: false,
      speculative: { draftTokens: 2, acceptanceRate: 0.7 },
    });
  });

  it("names the missing GPU or model in the caller's spelling", () => {
    expect(messageOf(() => simOptionsFromSettings({ tp: 2 }))).toBe("--tp: needs --gpu");
    expect(messageOf(() => simOptionsFromSettings({ tp: 2 }, "run"))).toBe("--sim-tp: needs --sim-gpu");
    expect(messageOf(() => simOptionsFromSettings({ enforceEager: true }, "run"))).toBe("--sim-enforce-eager: needs --sim-gpu");
    expect(messageOf(() => simOptionsFromSettings({ gpu: "H100-SXM" }, "run"))).toBe(
      "--sim-gpu: also give --sim-model (a catalog id, see --list-models) or --sim-model-config",
    );
    expect(messageOf(() => simOptionsFromSettings({ gpu: "H100-SXM", modelConfig: "/nonexistent/config.json" }, "run"))).toMatch(
      /^--sim-model-config: cannot read/,
    );
  });

  it("renames the simulator core's flag names for run, leaving other flags alone", () => {
    const unknown = renameSimFlags(
      new BenchError("E_BAD_FLAG", '--gpu: unknown GPU "X" (known: H100-SXM; see --list-gpus)', { where: "--gpu" }),
      "run",
    ) as BenchError;
    expect(unknown).toBeInstanceOf(BenchError);
    expect([unknown.message, unknown.where, unknown.code]).toEqual([
      '--sim-gpu: unknown GPU "X" (known: H100-SXM; see --list-gpus)',
      "--sim-gpu",
      "E_BAD_FLAG",
    ]);
    let fit: unknown;
    try {
      resolvePreset({ gpu: "RTX-4070", model: "Qwen/Qwen3-32B" }, { blockSize: 16 });
    } catch (error) {
      fit = renameSimFlags(error, "run");
    }
    expect((fit as Error).message).toMatch(/raise --sim-tp\/--sim-pp or --sim-gpu-memory-utilization, or use a smaller --sim-dtype$/);
    const faults = renameSimFlags(
      new BenchError("E_BAD_FLAG", "--faults: bad; --no-prefix-caching, --sim-profile, --url", { where: "--faults" }),
      "run",
    ) as BenchError;
    expect(faults.message).toBe("--sim-faults: bad; --no-sim-prefix-caching, --sim-profile, --url");
    const plain = new Error("--gpu");
    expect(renameSimFlags(plain, "run")).toBe(plain);
    expect(renameSimFlags(unknown, "simulate")).toBe(unknown);
  });
});
