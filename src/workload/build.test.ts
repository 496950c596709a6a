// Tests for assembling a level's RequestSpecs: synthetic, fixed prompt and dataset modes, for
// both endpoints, with output-token targets and start offsets.
import { beforeAll, describe, expect, it } from "vitest";
import { isBenchError } from "../errors.js";
import { buildRequests, chatInputTokens, clientTokenCount } from "./build.js";
import type { DatasetRow } from "./dataset.js";
import { loadTokenizer, type TextTokenizer } from "./tokenizer.js";

let tokenizer: TextTokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer();
});

function benchErrorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (isBenchError(error)) return error.code;
    throw error;
  }
  return undefined;
}

const rows: DatasetRow[] = [
  { prompt: "First prompt.", outputTokens: 7, where: "d.jsonl:1" },
  {
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi there" },
    ],
    where: "d.jsonl:2",
  },
  { prompt: "Third", messages: [{ role: "user", content: "Third as chat" }], where: "d.jsonl:3" },
];

describe("buildRequests", () => {
  it("builds exact synthetic completions", () => {
    const specs = buildRequests({ endpoint: "completions", count: 20, tokenizer, inputTokens: 256, outputTokens: 64, seed: 1 });
    expect(specs.map((s) => s.index)).toEqual([...Array(20).keys()]);
    for (const spec of specs) {
      expect(spec.messages).toBeUndefined();
      expect(spec.inputTokens).toBe(256);
      expect(tokenizer.count(spec.prompt ?? "")).toBe(256);
      expect(spec.targetOutputTokens).toBe(64);
    }
  });

  it("wraps synthetic prompts as one user message for chat, honouring startIndex", () => {
    const base = { tokenizer, inputTokens: 100, sharedPrefixTokens: 40, seed: 2 } as const;
    const chat = buildRequests({ ...base, endpoint: "chat", count: 5, startIndex: 10 });
    const plain = buildRequests({ ...base, endpoint: "completions", count: 15 });
    chat.forEach((spec, i) => {
      expect(spec.prompt).toBeUndefined();
      expect(spec.messages).toEqual([{ role: "user", content: plain[10 + i]?.prompt }]);
      expect(spec.inputTokens).toBe(100);
      expect(spec.index).toBe(i);
      expect(spec.targetOutputTokens).toBeUndefined();
    });
  });

  it("repeats a fixed prompt with its token count", () => {
    const specs = buildRequests({ endpoint: "completions", count: 3, tokenizer, prompt: "Hello world", inputTokens: 512, seed: 0 });
    expect(specs).toEqual([0, 1, 2].map((index) => ({ index, prompt: "Hello world", inputTokens: 2, targetOutputTokens: undefined })));
  });

  it("cycles dataset rows for chat, counting message contents without a template", () => {
    const specs = buildRequests({ endpoint: "chat", count: 5, tokenizer, dataset: rows, outputTokens: 99, seed: 0, startIndex: 1 });
    expect(specs.map((s) => s.messages?.at(-1)?.content)).toEqual(["Hi there", "Third as chat", "First prompt.", "Hi there", "Third as chat"]);
    expect(specs.map((s) => s.targetOutputTokens)).toEqual([99, 99, 7, 99, 99]);
    expect(specs[0]?.inputTokens).toBe(tokenizer.count("Be brief.") + tokenizer.count("Hi there"));
    expect(specs[2]?.messages).toEqual([{ role: "user", content: "First prompt." }]);
  });

  it("uses prompts of dataset rows for completions and names a row without one", () => {
    const specs = buildRequests({ endpoint: "completions", count: 1, tokenizer, dataset: rows, seed: 0 });
    expect(specs[0]).toEqual({ index: 0, prompt: "First prompt.", inputTokens: tokenizer.count("First prompt."), targetOutputTokens: 7 });
    try {
      buildRequests({ endpoint: "completions", count: 2, tokenizer, dataset: rows, seed: 0 });
      throw new Error("expected a failure");
    } catch (error) {
      expect(isBenchError(error) && error.code === "E_DATASET" && error.message.startsWith("d.jsonl:2: ")).toBe(true);
    }
  });

  it("rejects contradictory or missing options", () => {
    const base = { endpoint: "completions", count: 1, tokenizer, seed: 0 } as const;
    expect(benchErrorCode(() => buildRequests({ ...base, prompt: "x", dataset: rows }))).toBe("E_BAD_CONFIG");
    expect(benchErrorCode(() => buildRequests({ ...base }))).toBe("E_BAD_CONFIG");
    expect(benchErrorCode(() => buildRequests({ ...base, inputTokens: 8, outputTokens: 0 }))).toBe("E_BAD_CONFIG");
    expect(benchErrorCode(() => buildRequests({ ...base, dataset: [] }))).toBe("E_DATASET");
    expect(buildRequests({ ...base, count: 0, inputTokens: 8 })).toEqual([]);
  });
});

describe("token counting helpers", () => {
  it("count text and chat contents with the client tokenizer", () => {
    expect(clientTokenCount(tokenizer, "Hello world")).toBe(2);
    expect(
      chatInputTokens(tokenizer, [
        { role: "user", content: "Hello" },
        { role: "assistant", content: " world" },
      ]),
    ).toBe(2);
  });
});
