// Owns fast exact encoding: split text exactly as the tokenizer's own pre-tokenizer does, then
// encode each pre-token once and memoize it. Only for pipelines where pre-tokens are encoded
// independently (regex Split / ByteLevel families); anything else returns undefined → slow path.

import * as hf from "@huggingface/tokenizers";

type JsonObject = Record<string, unknown>;
type Splitter = (text: string) => string[];

/**
 * The parts of the library's Tokenizer we use. Its .d.ts uses extensionless relative imports,
 * which do not resolve under NodeNext, so the library's own types arrive as `any`.
 */
export interface LibraryTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] };
  decode(ids: number[]): string;
  normalizer: { normalize(text: string): string } | null;
  get_added_tokens_decoder(): Map<number, { content: string }>;
}

/** Exported at runtime; typed here for the same reason as {@link LibraryTokenizer}. */
interface PreTokenizerClasses {
  SplitPreTokenizer?: new (config: JsonObject) => {
    pre_tokenize_text(text: string): string[];
    pattern?: unknown;
  };
  ByteLevelPreTokenizer?: new (config: JsonObject) => { pattern: RegExp };
}
const { SplitPreTokenizer, ByteLevelPreTokenizer } = hf as unknown as PreTokenizerClasses;

/** Encoders never grow without bound on adversarial text; a full memo is simply dropped. */
const MAX_MEMO_ENTRIES = 200_000;
/** Normalizers that give the same result on a whole text and on each of its pieces. */
const PIECEWISE_NORMALIZERS = new Set(["NFC", "NFD", "NFKC", "NFKD", "Lowercase"]);

/** Texts on which the memo encoder must agree with the library before it is trusted. */
const SELF_TEST_TEXTS = [
  "Hello, world! It's 2025-01-02 and we've got 1234567 tokens\n\n\n  indented\ttabs\r\nend.  ",
  "naïve café Ünïcödé 日本語のテキスト 한국어 emoji 🎉🎉 — “quotes” ...!!!??? a  b   c    d",
  "the of and to in is was for on that with as by at from his her an were are which this",
  "   leading spaces, trailing spaces   \n",
  "x".repeat(300) + " " + "ab".repeat(50) + ' 3.14159 0x1F <tag> </tag> {"json": [1, 2]}',
];

export interface MemoEncoder {
  encode(text: string): number[];
  count(text: string): number;
}

/**
 * Returns an exact, memoizing `encode` for `tokenizer`, or undefined when its pipeline is not
 * one this fast path can reproduce (then callers use the library's encode for everything).
 */
export function createMemoEncoder(tokenizer: LibraryTokenizer, tokenizerJson: JsonObject, tokenizerConfig: JsonObject): MemoEncoder | undefined {
  if (tokenizerConfig["remove_space"] === true || tokenizerConfig["do_lowercase_and_remove_accent"] === true) {
    return undefined;
  }
  const model = asObject(tokenizerJson["model"]);
  if (model === undefined || model["fuse_unk"] === true) return undefined; // fuse_unk merges across pieces
  if (!isPiecewiseNormalizer(tokenizerJson["normalizer"])) return undefined;
  const splitter = makeSplitter(tokenizerJson["pre_tokenizer"]);
  if (splitter === undefined) return undefined;

  const slow = (text: string): number[] => tokenizer.encode(text, { add_special_tokens: false }).ids;
  const normalizer = tokenizer.normalizer;
  const normalize = normalizer === null ? (text: string) => text : (text: string) => normalizer.normalize(text);
  const hasAddedToken = makeAddedTokenTest(tokenizer);
  const memo = new Map<string, number[]>();

  /** Visits the ids of `text` piece by piece; returns false if the text needs the slow path. */
  const visit = (text: string, onPiece: (ids: readonly number[]) => void): boolean => {
    if (hasAddedToken(text)) return false;
    const normalized = normalize(text);
    if (normalized !== text && hasAddedToken(normalized)) return false;
    for (const piece of splitter(normalized)) {
      let pieceIds = memo.get(piece);
      if (pieceIds === undefined) {
        // A piece is only reusable if, standing alone, it normalizes and splits to itself.
        const again = splitter(piece);
        if (again.length !== 1 || again[0] !== piece || normalize(piece) !== piece) return false;
        pieceIds = slow(piece);
        if (memo.size >= MAX_MEMO_ENTRIES) memo.clear();
        memo.set(piece, pieceIds);
      }
      onPiece(pieceIds);
    }
    return true;
  };
  const encode = (text: string): number[] => {
    const ids: number[] = [];
    if (text.length === 0) return ids;
    const ok = visit(text, (pieceIds) => {
      for (const id of pieceIds) ids.push(id);
    });
    return ok ? ids : slow(text);
  };
  const count = (text: string): number => {
    let total = 0;
    if (text.length === 0) return total;
    const ok = visit(text, (pieceIds) => {
      total += pieceIds.length;
    });
    return ok ? total : slow(text).length;
  };

  const trusted = SELF_TEST_TEXTS.every((text) => {
    const expected = slow(text);
    return sameIds(encode(text), expected) && count(text) === expected.length;
  });
  return trusted ? { encode, count } : undefined;
}

function makeSplitter(config: unknown): Splitter | undefined {
  const cfg = asObject(config);
  if (cfg === undefined) return undefined;
  if (SplitPreTokenizer === undefined || ByteLevelPreTokenizer === undefined) return undefined;
  if (cfg["type"] === "ByteLevel") {
    if (cfg["use_regex"] === false || cfg["add_prefix_space"] === true) return undefined;
    // The library keeps regex matches only (gaps are dropped); mirror that exactly.
    const pattern = new ByteLevelPreTokenizer(cfg).pattern;
    return (text) => text.match(pattern) ?? [];
  }
  if (cfg["type"] === "Split") {
    const split = new SplitPreTokenizer(cfg);
    return (text) => split.pre_tokenize_text(text);
  }
  if (cfg["type"] !== "Sequence" || !Array.isArray(cfg["pretokenizers"])) return undefined;
  const steps = cfg["pretokenizers"].map(asObject);
  const last = steps.at(-1);
  // A trailing ByteLevel without regex only maps bytes to symbols, one piece in, one piece out.
  const trailingByteMap = last?.["type"] === "ByteLevel" && last["use_regex"] === false && last["add_prefix_space"] !== true;
  const splitSteps = trailingByteMap ? steps.slice(0, -1) : steps;
  if (splitSteps.length === 0 || !splitSteps.every((step) => step?.["type"] === "Split")) return undefined;
  const splits = splitSteps.map((step) => splitFunction(new SplitPreTokenizer(step ?? {}), step ?? {}));
  // Same as the library's `pre_tokenize` (map + flat), without `flat`, which dominates on long texts.
  return (text) =>
    splits.reduce<string[]>(
      (pieces, split) => {
        if (pieces.length === 1) return split(pieces[0] ?? "");
        const out: string[] = [];
        for (const piece of pieces) for (const sub of split(piece)) out.push(sub);
        return out;
      },
      [text],
    );
}

/**
 * The library's Split pre-tokenizer, with an exact shortcut for its usual branch (regex, not
 * inverted, not "removed"): when the regex's matches tile the text there are no gaps between
 * them, so they are exactly the pieces its regex_split would return, found without building a
 * match object per piece. Anything else goes through the library.
 */
function splitFunction(split: { pre_tokenize_text(text: string): string[]; pattern?: unknown }, cfg: JsonObject): (text: string) => string[] {
  const pattern = split.pattern;
  const plain = cfg["invert"] !== true && String(cfg["behavior"] ?? "").toLowerCase() !== "removed" && pattern instanceof RegExp && pattern.global;
  if (!plain) return (text) => split.pre_tokenize_text(text);
  return (text) => {
    const matches = text.match(pattern);
    if (matches !== null) {
      let covered = 0;
      for (const m of matches) covered += m.length;
      if (covered === text.length) return matches.filter((m) => m.length > 0);
    }
    return split.pre_tokenize_text(text);
  };
}

function isPiecewiseNormalizer(config: unknown): boolean {
  if (config === null || config === undefined) return true;
  const cfg = asObject(config);
  if (cfg === undefined) return false;
  if (cfg["type"] === "Sequence" && Array.isArray(cfg["normalizers"])) {
    return cfg["normalizers"].every(isPiecewiseNormalizer);
  }
  return typeof cfg["type"] === "string" && PIECEWISE_NORMALIZERS.has(cfg["type"]);
}

/** Added (special) tokens are split out before pre-tokenization, so texts containing one take the slow path. */
function makeAddedTokenTest(tokenizer: LibraryTokenizer): (text: string) => boolean {
  const contents = [...tokenizer.get_added_tokens_decoder().values()].map((t) => t.content).filter((c) => c !== "");
  const firstChars = [...new Set(contents.map((c) => c[0] ?? ""))];
  return (text) => firstChars.some((ch) => text.includes(ch)) && contents.some((content) => text.includes(content));
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}
