import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type RunConfigInput } from "../config/run-config.js";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import { createPromptCounter } from "../workload/chat-template.js";
import { loadTokenizer, type TextTokenizer } from "../workload/tokenizer.js";
import { RequestSource, SALT_INPUT } from "./request-source.js";
import { createLengthSampler } from "../workload/length-sampler.js";
import type { LengthDist } from "../config/length-dist.js";

const TINY_DIR = join(import.meta.dirname, "../../test/fixtures/workload/tiny-bpe");
let tokenizer: TextTokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(TINY_DIR);
});

function source(input: RunConfigInput, maxModelLen: number | undefined): RequestSource {
  const config = resolveRunConfig({ concurrency: [1], ...input });
  return RequestSource.create(config, { tokenizer, counter: createPromptCounter(tokenizer, "none"), maxModelLen });
}

const LOAD = { kind: "concurrency", value: 1 };

describe("RequestSource clipping to max_model_len", () => {
  it("says how many prompts of a level were shortened, and every prompt fits", () => {
    // Inputs 40..79 (uniform), 10 out, max_model_len 60: an input above 50 must shrink.
    const input = { inputDist: "uniform:min=40,max=79", outputTokens: 10 } as const;
    const s = source(input, 60);
    const specs = s.levelSpecs(50, undefined, LOAD);
    const pool = Array.from({ length: specs.poolSize }, (_, i) => specs.get(i));
    expect(pool.every((spec) => spec.inputTokens + (spec.targetOutputTokens ?? 0) <= 60)).toBe(true);
    const asked = createLengthSampler(
      resolveRunConfig({ concurrency: [1], ...input }).inputDist as LengthDist,
      resolveRunConfig({ concurrency: [1] }).seed,
      SALT_INPUT,
    );
    const expected = Array.from({ length: 50 }, (_, i) => asked(i)).filter((n) => n + 10 > 60).length;
    expect(expected).toBeGreaterThan(10);
    expect(specs.clipped).toMatch(new RegExp(`^${expected} of 50 prompts were shortened to fit the server's max_model_len 60 `));
  });

  it("says nothing when everything fits or the limit is unknown", () => {
    expect(source({ inputTokens: 40, outputTokens: 10 }, 60).levelSpecs(5, undefined, LOAD).clipped).toBeUndefined();
    expect(source({ inputTokens: 400, outputTokens: 10 }, undefined).levelSpecs(5, undefined, LOAD).clipped).toBeUndefined();
  });

  it("--strict refuses to shorten: a clear error naming the flag instead of a quietly different test", () => {
    const s = source({ inputTokens: 100, outputTokens: 10, strict: true }, 60);
    expect(() => s.levelSpecs(5, undefined, LOAD)).toThrow(
      /--strict: 5 of 5 prompts were shortened to fit the server's max_model_len 60 \(input \+ output must fit; first: 100 in \+ 10 out asked\)/,
    );
  });
});
