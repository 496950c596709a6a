// Tests for the production-like synthetic workloads: sampled lengths (seeded, clipped to
// max_model_len), shared-prefix groups (identical prefix tokens per group, exact totals) and
// dataset targets from recorded answers.
import { beforeAll, describe, expect, it } from "vitest";
import { buildRequests } from "./build.js";
import { createPromptCounter } from "./chat-template.js";
import { createLengthSampler } from "./length-sampler.js";
import { loadTokenizer, type TextTokenizer } from "./tokenizer.js";

let tokenizer: TextTokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer();
});

describe("sampled lengths", () => {
  it("gives every request its sampled length exactly, the same for the same seed, whatever the batching", () => {
    const inputLength = createLengthSampler({ kind: "uniform", min: 20, max: 300 }, 5, 1);
    const outputLength = createLengthSampler({ kind: "lognormal", mean: 50, sigma: 0.7 }, 5, 2);
    const all = buildRequests({ endpoint: "completions", count: 12, tokenizer, inputLength, outputLength, seed: 5 });
    all.forEach((spec, i) => {
      expect(spec.inputTokens).toBe(inputLength(i));
      expect(tokenizer.count(spec.prompt as string)).toBe(inputLength(i));
      expect(spec.targetOutputTokens).toBe(outputLength(i));
    });
    const tail = buildRequests({ endpoint: "completions", count: 4, tokenizer, inputLength, outputLength, seed: 5, startIndex: 8 });
    expect(tail.map((s) => s.prompt)).toEqual(all.slice(8).map((s) => s.prompt));
  });

  it("clips input + output to max_model_len", () => {
    const specs = buildRequests({ endpoint: "completions", count: 3, tokenizer, inputTokens: 500, outputTokens: 300, maxModelLen: 600, seed: 1 });
    for (const spec of specs) {
      expect(spec.targetOutputTokens).toBe(300);
      expect(spec.inputTokens).toBe(300);
    }
    const huge = buildRequests({ endpoint: "completions", count: 1, tokenizer, inputTokens: 50, outputTokens: 9999, maxModelLen: 100, seed: 1 });
    expect(huge[0]?.targetOutputTokens).toBe(99);
    expect(huge[0]?.inputTokens).toBe(1);
  });
});

describe("shared-prefix groups", () => {
  it("completions: requests of a group share exactly the first P tokens; groups differ; totals exact", () => {
    const specs = buildRequests({ endpoint: "completions", count: 9, tokenizer, inputTokens: 120, prefixGroups: { groups: 3, prefixTokens: 80 }, seed: 2 });
    const ids = specs.map((s) => tokenizer.encode(s.prompt as string));
    specs.forEach((spec, i) => {
      expect(spec.group).toBe(i % 3);
      expect(spec.inputTokens).toBe(120);
      expect(spec.prefixTokens).toBe(80);
      expect(ids[i]).toHaveLength(120);
    });
    const prefix = (i: number): string => (ids[i] as number[]).slice(0, 80).join(",");
    expect(prefix(3)).toBe(prefix(0));
    expect(prefix(6)).toBe(prefix(0));
    expect(prefix(1)).not.toBe(prefix(0));
    expect(new Set(specs.map((s) => s.prompt)).size).toBe(9);
    expect((ids[0] as number[])[80]).not.toBe((ids[3] as number[])[80]);
  });

  it("chat: the group's system prompt is P tokens and the template-exact total is the requested one", () => {
    const counter = createPromptCounter(tokenizer, "auto");
    const specs = buildRequests({ endpoint: "chat", count: 4, tokenizer, counter, inputTokens: 200, prefixGroups: { groups: 2, prefixTokens: 64 }, seed: 3 });
    for (const spec of specs) {
      expect(spec.messages?.[0]?.role).toBe("system");
      expect(tokenizer.count(spec.messages?.[0]?.content ?? "")).toBe(64);
      expect(spec.inputTokens).toBe(200);
    }
    expect(specs[2]?.messages?.[0]).toEqual(specs[0]?.messages?.[0]);
    expect(specs[1]?.messages?.[0]).not.toEqual(specs[0]?.messages?.[0]);
  });
});

describe("dataset targets", () => {
  it("uses a recorded answer's token count, skips rows too long for the context", () => {
    const rows = [
      { prompt: "word ".repeat(50).trim(), answer: "x", where: "d:1" },
      { prompt: "Short question?", answer: "A short answer of several tokens.", where: "d:2" },
      { prompt: "Another one", outputTokens: 5, where: "d:3" },
    ];
    const specs = buildRequests({ endpoint: "completions", count: 3, tokenizer, dataset: rows, outputTokens: 99, maxModelLen: 40, seed: 0 });
    expect(specs.map((s) => s.prompt)).toEqual(["Short question?", "Another one", "Short question?"]);
    expect(specs[0]?.targetOutputTokens).toBe(tokenizer.count("A short answer of several tokens."));
    expect(specs[1]?.targetOutputTokens).toBe(5);
  });
});
