// Unit: preset settings → SimulatorOptions, and errors that name the settings (the CLI spells them as flags).

import { describe, expect, it } from "vitest";
import { simOptionsFromSettings } from "./preset-settings.js";

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
}

describe("preset settings", () => {
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

  it("names the missing GPU or model by its setting", () => {
    expect(messageOf(() => simOptionsFromSettings({ tp: 2 }))).toBe("`tp`: needs `gpu`");
    expect(messageOf(() => simOptionsFromSettings({ enforceEager: true }))).toBe("`enforceEager`: needs `gpu`");
    expect(messageOf(() => simOptionsFromSettings({ gpu: "H100-SXM" }))).toBe("`gpu`: also give `model` (a catalog id, see `listModels`) or `modelConfig`");
    expect(messageOf(() => simOptionsFromSettings({ gpu: "H100-SXM", modelConfig: "/nonexistent/config.json" }))).toMatch(/^`modelConfig`: cannot read/);
  });
});
