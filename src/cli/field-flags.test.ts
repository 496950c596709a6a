// Unit: the CLI spells the core's field names as the flags a user typed: simulate's and predict's
// bare preset flags, run's --sim-* flags and the run flags, with the message otherwise unchanged.

import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import type { RunConfigInput } from "../config/run-config.js";
import { BenchError } from "../errors.js";
import { embeddedSimOptions } from "../run/embedded-sim.js";
import { resolvePreset } from "../sim/preset.js";
import { buildRequests } from "../workload/build.js";
import type { TextTokenizer } from "../workload/tokenizer.js";
import { flagOfField, inFlagTerms } from "./field-flags.js";
import { presetFlag } from "./sim-flags.js";

/** What the CLI prints for the error `fn` throws: [message, where]. */
function shown(fn: () => unknown): [string, string | undefined] {
  try {
    fn();
  } catch (error) {
    const e = inFlagTerms(error) as BenchError;
    return [e.message, e.where];
  }
  throw new Error("no error");
}

const run = (input: RunConfigInput): unknown => embeddedSimOptions(resolveRunConfig(input));

describe("field names at the CLI edge", () => {
  it("spells each preset flag as simulate and as run do", () => {
    expect([presetFlag("tp", "simulate"), presetFlag("tp", "run")]).toEqual(["--tp", "--sim-tp"]);
    expect([presetFlag("prefixCaching", "simulate"), presetFlag("prefixCaching", "run")]).toEqual(["--no-prefix-caching", "--no-sim-prefix-caching"]);
    expect([presetFlag("profile", "simulate"), presetFlag("profile", "run")]).toEqual(["--sim-profile", "--sim-profile"]);
    expect(presetFlag("maxModelLen", "run")).toBe("--sim-max-model-len");
  });

  it("maps fields to flags from the flag tables", () => {
    expect(["tp", "sim.tp", "maxModelLen", "sim.maxModelLen", "profile", "sim.profile", "sim.prefixCaching"].map(flagOfField)).toEqual([
      "--tp",
      "--sim-tp",
      "--max-model-len",
      "--sim-max-model-len",
      "--sim-profile",
      "--sim-profile",
      "--no-sim-prefix-caching",
    ]);
    expect(["inputTokens", "datasetFormat", "chatTemplate", "faults", "sim.faults", "listModels"].map(flagOfField)).toEqual([
      "--input-tokens",
      "--dataset-format",
      "--chat-template",
      "--faults",
      "--sim-faults",
      "--list-models",
    ]);
    expect(["count", "data.jsonl:3", "toString"].map(flagOfField)).toEqual([undefined, undefined, undefined]);
  });

  it("simulate and predict: the simulator's errors show the bare preset flags", () => {
    expect(shown(() => resolvePreset({ gpu: "H100-SXM", model: "Qwen/Qwen3-8B", tp: 3 }, { blockSize: 16 }))).toEqual([
      "--tp 3: Qwen/Qwen3-8B has 32 attention heads, which must be divisible by the tensor-parallel size (vLLM refuses this too)",
      "--tp",
    ]);
    expect(shown(() => resolvePreset({ gpu: "RTX-4070", model: "Qwen/Qwen3-32B" }, { blockSize: 16 }))[0]).toMatch(
      /raise --tp\/--pp or --gpu-memory-utilization, or use a smaller --dtype$/,
    );
  });

  it("run: the embedded simulator's errors show --sim-* flags, exactly as before", () => {
    expect(shown(() => run({ sim: { gpu: "H900", model: "Qwen/Qwen3-8B" } }))[0]).toMatch(
      /^--sim-gpu: unknown GPU "H900" \(known: .*H100-SXM.*; see --list-gpus\)$/,
    );
    expect(shown(() => run({ sim: { gpu: "H100-SXM", model: "acme/NotAModel" } }))).toEqual([
      '--sim-model: "acme/NotAModel" is not in the catalog (see --list-models, or pass --sim-model-config PATH)',
      "--sim-model",
    ]);
    expect(shown(() => run({ sim: { gpu: "H100-SXM" } }))[0]).toBe("--sim-gpu: also give --sim-model (a catalog id, see --list-models) or --sim-model-config");
    expect(shown(() => run({ sim: { timing: "simple", tp: 2 } }))).toEqual(["--sim-tp: needs --sim-gpu", "--sim-gpu"]);
    expect(shown(() => run({ sim: { timing: "simple", gpu: "H100-SXM", model: "Qwen/Qwen3-8B" } }))[0]).toBe(
      "--sim-timing simple: has no GPU or model to simulate; drop --sim-gpu or --sim-timing",
    );
    expect(shown(() => run({ sim: { gpu: "RTX-4070", model: "Qwen/Qwen3-32B" } }))[0]).toMatch(
      /raise --sim-tp\/--sim-pp or --sim-gpu-memory-utilization, or use a smaller --sim-dtype$/,
    );
    expect(shown(() => run({ sim: { gpu: "H100-SXM", model: "Qwen/Qwen3-8B", maxModelLen: 10_000_000 } }))).toEqual([
      expect.stringMatching(/lower --sim-max-model-len or raise --sim-gpu-memory-utilization, --sim-tp or --sim-pp$/),
      "--sim-max-model-len",
    ]);
    expect(shown(() => run({ sim: { faults: "explode=0.5" } }))[0]).toMatch(/^--sim-faults: "explode=0.5" is not one of/);
  });

  it("the workload's errors show the run flags", () => {
    const tokenizer = { name: "t", count: (s: string) => s.length, encode: () => [], specialTokensAdded: 0 } as unknown as TextTokenizer;
    expect(shown(() => buildRequests({ tokenizer, endpoint: "completions", count: 1, seed: 0, prompt: "x", dataset: [{ prompt: "y" }] }))).toEqual([
      "--prompt and --dataset cannot be used together",
      "--prompt",
    ]);
  });

  it("leaves other errors and unknown names alone", () => {
    const plain = new BenchError("E_DATASET", "data.jsonl:3: invalid JSON; fetch it with `huggingface-cli download x`, see `count`", { where: "data.jsonl:3" });
    expect(inFlagTerms(plain)).toBe(plain);
    const other = new Error("`tp`");
    expect(inFlagTerms(other)).toBe(other);
  });
});
