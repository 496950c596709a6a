// Owns synthetic prompts of an exact token length under a given tokenizer, unique per request
// (so prefix caching cannot flatter results) or sharing an exact common prefix when asked.

import { BenchError } from "../errors.js";
import { createRng, deriveSeed, randomInt } from "./random.js";
import type { TextTokenizer } from "./tokenizer.js";
import { COMMON_WORDS } from "./words.js";

export interface SyntheticPromptOptions {
  tokenizer: TextTokenizer;
  count: number;
  /** Exact length of every prompt, in tokens of `tokenizer` (no special tokens). */
  inputTokens: number;
  /** The first this-many tokens are identical across prompts (default 0: all unique from token 0). */
  sharedPrefixTokens?: number;
  seed: number;
  /** Index of the first prompt; prompt i is a function of (seed, startIndex + i, lengths). */
  startIndex?: number;
}

interface WordPool {
  /** Words that are one token at the start of a text. */
  first: readonly string[];
  /** Words that add exactly one token when appended as " word". */
  next: readonly string[];
}

interface Prefix {
  text: string;
  ids: readonly number[];
}

const MIN_POOL_WORDS = 64;
const MAX_FIXUP_ROUNDS = 64;
const MAX_PREFIX_RETRIES = 8;
const SALT_PREFIX = 0x5052;
const SALT_MARKER = 0x4d4b;
const SALT_BLOCK = 0x424c;
const SALT_TAIL = 0x544c;

const pools = new WeakMap<TextTokenizer, WordPool>();
const prefixes = new WeakMap<TextTokenizer, Map<string, Prefix>>();

/**
 * Builds `count` prompts of exactly `inputTokens` tokens each (checked by re-encoding every
 * prompt). Deterministic for (tokenizer, seed, startIndex + i, inputTokens, sharedPrefixTokens).
 * Different input lengths draw different words, so a sweep over lengths never reuses prefixes.
 * @example
 * const prompts = makeSyntheticPrompts({ tokenizer, count: 100, inputTokens: 512, seed: 1 });
 * tokenizer.count(prompts[0]!); // 512
 */
export function makeSyntheticPrompts(options: SyntheticPromptOptions): string[] {
  const { tokenizer, count, inputTokens, seed } = options;
  const sharedPrefixTokens = options.sharedPrefixTokens ?? 0;
  const startIndex = options.startIndex ?? 0;
  checkOptions(count, inputTokens, sharedPrefixTokens, startIndex);
  const pool = wordPool(tokenizer);
  const prefix = sharedPrefixTokens > 0 ? sharedPrefix(tokenizer, pool, seed, sharedPrefixTokens) : undefined;
  const markerOffset = deriveSeed(seed, SALT_MARKER, inputTokens, sharedPrefixTokens);
  const prompts: string[] = [];
  for (let i = 0; i < count; i++) {
    const index = startIndex + i;
    if (prefix !== undefined && sharedPrefixTokens === inputTokens) {
      prompts.push(prefix.text);
      continue;
    }
    const rng = createRng(deriveSeed(seed, index, inputTokens, sharedPrefixTokens));
    const marker = markerWords(pool, prefix === undefined, markerOffset + index);
    prompts.push(prefix === undefined ? exactText(tokenizer, pool, marker, inputTokens, rng) : withPrefix(tokenizer, pool, prefix, marker, inputTokens, rng));
  }
  return prompts;
}

/**
 * A prompt of exactly `inputTokens` tokens made of hashed blocks (a Mooncake trace's hash_ids):
 * block id h is the same `blockTokens` words of text wherever it appears, so requests sharing
 * leading ids share that exact token prefix, as they did in the traced service. Tokens beyond the
 * listed blocks are unique to the request; a prompt shorter than its blocks ends inside them.
 * @example
 * makeBlockPrompt({ tokenizer, blockIds: [46, 47, 2353], inputTokens: 1200, blockTokens: 512, seed: 1, index: 0 });
 */
export function makeBlockPrompt(o: {
  tokenizer: TextTokenizer;
  blockIds: readonly number[];
  inputTokens: number;
  blockTokens: number;
  seed: number;
  index: number;
}): string {
  checkOptions(1, o.inputTokens, 0, o.index);
  const pool = wordPool(o.tokenizer);
  const words: string[] = [];
  for (const [position, id] of o.blockIds.entries()) {
    if (words.length >= o.inputTokens) break;
    // Mooncake ids chain over the prefix, so an id always sits at the same position.
    const rng = createRng(deriveSeed(o.seed, SALT_BLOCK, id));
    for (let k = 0; k < o.blockTokens && words.length < o.inputTokens; k++) words.push(pick(position === 0 && k === 0 ? pool.first : pool.next, rng));
  }
  const tail = createRng(deriveSeed(o.seed, SALT_TAIL, o.index, o.inputTokens));
  if (words.length === 0) words.push(pick(pool.first, tail));
  while (words.length < o.inputTokens) words.push(pick(pool.next, tail));
  const shared = Math.min(o.inputTokens, o.blockIds.length * o.blockTokens);
  // One word per token: a fix-up only touches words past the blocks when the prompt outgrows them.
  return fixUp(
    o.tokenizer,
    words,
    (w) => w.join(" "),
    o.inputTokens,
    pool,
    tail,
    Math.max(1, Math.min(shared, o.inputTokens - 1)),
    (t) => o.tokenizer.count(t),
  );
}

/**
 * The same prompt for every request, with its token count.
 * @example
 * fixedPrompt(tokenizer, "Hello world"); // { prompt: "Hello world", inputTokens: 2 }
 */
export function fixedPrompt(tokenizer: TextTokenizer, text: string): { prompt: string; inputTokens: number } {
  if (text.length === 0) throw new BenchError("E_BAD_CONFIG", "`prompt` is empty", { where: "prompt" });
  return { prompt: text, inputTokens: tokenizer.count(text) };
}

function checkOptions(count: number, inputTokens: number, sharedPrefixTokens: number, startIndex: number): void {
  const bad = (where: string, what: string): BenchError => new BenchError("E_BAD_CONFIG", `\`${where}\` must be ${what}`, { where });
  if (!Number.isSafeInteger(count) || count < 0) throw bad("count", "a non-negative integer");
  if (!Number.isSafeInteger(startIndex) || startIndex < 0) throw bad("startIndex", "a non-negative integer");
  if (!Number.isSafeInteger(inputTokens) || inputTokens < 1) throw bad("inputTokens", "a positive integer");
  if (!Number.isSafeInteger(sharedPrefixTokens) || sharedPrefixTokens < 0 || sharedPrefixTokens > inputTokens) {
    throw bad("sharedPrefixTokens", `an integer from 0 to \`inputTokens\` (${inputTokens})`);
  }
}

/** Measured once per tokenizer: which common words cost exactly one token where we put them. */
function wordPool(tokenizer: TextTokenizer): WordPool {
  const cached = pools.get(tokenizer);
  if (cached !== undefined) return cached;
  const base = tokenizer.count("the");
  const next = COMMON_WORDS.filter((w) => tokenizer.count(`the ${w}`) === base + 1);
  const first = COMMON_WORDS.filter((w) => tokenizer.count(w) === 1);
  if (next.length < MIN_POOL_WORDS || first.length === 0) {
    throw new BenchError(
      "E_TOKENIZER",
      `tokenizer "${tokenizer.name}" cannot build synthetic prompts: only ${next.length} common English ` +
        `words encode to one token (need ${MIN_POOL_WORDS}); use \`prompt\` or \`dataset\``,
      { where: "tokenizer" },
    );
  }
  const pool = { first, next };
  pools.set(tokenizer, pool);
  return pool;
}

/** Two words derived from the request index: distinct for every index below |pool|², by construction. */
function markerWords(pool: WordPool, atStart: boolean, n: number): string[] {
  const heads = atStart ? pool.first : pool.next;
  const u = n % (heads.length * pool.next.length);
  return [heads[u % heads.length] ?? "", pool.next[Math.floor(u / heads.length)] ?? ""];
}

function sharedPrefix(tokenizer: TextTokenizer, pool: WordPool, seed: number, tokens: number): Prefix {
  let byKey = prefixes.get(tokenizer);
  if (byKey === undefined) prefixes.set(tokenizer, (byKey = new Map()));
  const key = `${seed}:${tokens}`;
  let prefix = byKey.get(key);
  if (prefix === undefined) {
    const rng = createRng(deriveSeed(seed, SALT_PREFIX, tokens));
    const text = exactText(tokenizer, pool, [pick(pool.first, rng)], tokens, rng);
    prefix = { text, ids: tokenizer.encode(text) };
    byKey.set(key, prefix);
  }
  return prefix;
}

/** Text of exactly `tokens` tokens starting with `head` words: one word per token, then fixed up. */
function exactText(tokenizer: TextTokenizer, pool: WordPool, head: string[], tokens: number, rng: () => number): string {
  const words = head.slice(0, tokens);
  while (words.length < tokens) words.push(pick(pool.next, rng));
  return fixUp(
    tokenizer,
    words,
    (w) => w.join(" "),
    tokens,
    pool,
    rng,
    1,
    (text) => tokenizer.count(text),
  );
}

/** Prefix + unique suffix; retried with fresh words if a merge at the seam would alter the prefix ids. */
function withPrefix(tokenizer: TextTokenizer, pool: WordPool, prefix: Prefix, marker: string[], tokens: number, rng: () => number): string {
  const suffixTokens = tokens - prefix.ids.length;
  for (let attempt = 0; attempt < MAX_PREFIX_RETRIES; attempt++) {
    const words = attempt === 0 ? marker.slice(0, suffixTokens) : [pick(pool.next, rng)];
    while (words.length < suffixTokens) words.push(pick(pool.next, rng));
    let ids: number[] = [];
    const text = fixUp(
      tokenizer,
      words,
      (w) => `${prefix.text} ${w.join(" ")}`,
      tokens,
      pool,
      rng,
      1,
      (t) => {
        ids = tokenizer.encode(t);
        return ids.length;
      },
    );
    if (prefix.ids.every((id, i) => ids[i] === id)) return text;
  }
  throw new BenchError(
    "E_TOKENIZER",
    `tokenizer "${tokenizer.name}" merges tokens across the shared-prefix boundary; ` + `cannot keep the first ${prefix.ids.length} tokens identical`,
    { where: "sharedPrefixTokens" },
  );
}

/**
 * Adds or drops trailing words until the rendered text is exactly `target` tokens. With the
 * one-token-per-word pool this is a single re-encode; the loop covers tokenizers that merge words.
 */
function fixUp(
  tokenizer: TextTokenizer,
  words: string[],
  render: (words: string[]) => string,
  target: number,
  pool: WordPool,
  rng: () => number,
  minWords: number,
  measure: (text: string) => number,
): string {
  for (let round = 0; round < MAX_FIXUP_ROUNDS; round++) {
    const text = render(words);
    const tokens = measure(text);
    if (tokens === target) return text;
    if (tokens > target) {
      const drop = Math.min(tokens - target, words.length - minWords);
      if (drop <= 0) break;
      words.length -= drop;
    } else {
      for (let k = tokens; k < target; k++) words.push(pick(pool.next, rng));
    }
  }
  throw new BenchError("E_TOKENIZER", `tokenizer "${tokenizer.name}" cannot produce an exact ${target}-token synthetic prompt; use \`prompt\` or \`dataset\``, {
    where: "tokenizer",
  });
}

function pick(words: readonly string[], rng: () => number): string {
  return words[randomInt(rng, words.length)] ?? "";
}
