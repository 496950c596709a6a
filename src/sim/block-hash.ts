// Owns the content hashes of KV blocks for prefix caching: a chain hash per full block of tokens
// (real token ids from an injected tokenizer, or deterministic pseudo-tokens cut from the text).
// A chat prompt is laid out as its template would be (role header, content, footer per message,
// then the assistant header), and generated tokens get the ids their text has in a prompt, so a
// later prompt that repeats [prompt + answer] (the next turn of a conversation) finds the answer's
// blocks, as in vLLM. Without those ids, generated blocks get request-unique hashes.

import { TOKEN_TEXT_PERIOD, tokenText } from "./output-plan.js";

const MAX_PIECE_CHARS = 12;
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0;

/**
 * Pseudo token ids for a prompt without a tokenizer: the text is cut left to right into words (a
 * run of whitespace and the word after it, at most 12 characters of it), which for prose is close
 * to one BPE token each; two texts with a common prefix share their first pieces. Exactly `count`
 * ids: surplus text folds into the last id, missing ids are derived from the position.
 */
export function pseudoTokenIds(text: string, count: number): Uint32Array {
  const ids = new Uint32Array(count);
  const n = text.length;
  let pos = 0;
  let i = 0;
  for (; i < count && pos < n; i++) {
    let h = 0x811c9dc5;
    if (i === count - 1) {
      for (; pos < n; pos++) h = Math.imul(h ^ text.charCodeAt(pos), 0x01000193);
    } else {
      while (pos < n && isSpace(text.charCodeAt(pos))) h = Math.imul(h ^ text.charCodeAt(pos++), 0x01000193);
      for (let k = 0; k < MAX_PIECE_CHARS && pos < n && !isSpace(text.charCodeAt(pos)); k++) h = Math.imul(h ^ text.charCodeAt(pos++), 0x01000193);
    }
    ids[i] = h >>> 0;
  }
  for (; i < count; i++) ids[i] = Math.imul(i + 1, 0x9e3779b1) >>> 0;
  return ids;
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines a parent hash (53-bit) and a block's token ids into a 53-bit hash. */
function chain(parent: number, ids: ArrayLike<number>, from: number, to: number): number {
  let a = (parent % 0x100000000) ^ 0x243f6a88;
  let b = Math.floor(parent / 0x100000000) ^ 0x85a308d3;
  for (let i = from; i < to; i++) {
    const t = ids[i] ?? 0;
    a = Math.imul(a ^ t, 0x01000193) + 0x7f4a7c15;
    b = Math.imul(b ^ (t + i - from), 0x5bd1e995) ^ (b >>> 15);
  }
  return (mix32(a) % 0x200000) * 0x100000000 + mix32(b ^ a);
}

/** Hashes of the full blocks of a prompt (a trailing partial block is never cached, as in vLLM). */
export function promptBlockHashes(ids: ArrayLike<number>, tokens: number, blockSize: number): number[] {
  const full = Math.floor(Math.min(tokens, ids.length) / blockSize);
  const out = new Array<number>(full);
  let parent = 0;
  for (let b = 0; b < full; b++) {
    parent = chain(parent, ids, b * blockSize, (b + 1) * blockSize);
    out[b] = parent;
  }
  return out;
}

/** A block that holds generated tokens: unique to its request, so only that request (after preemption) reuses it. */
export function generatedBlockHash(parent: number, requestUid: number, blockIndex: number): number {
  return chain(parent, [requestUid >>> 0, Math.floor(requestUid / 0x100000000), blockIndex], 0, 3);
}

/** Token ids for a prompt: the injected tokenizer's ids adjusted to `count`, or pseudo ids from the text. */
export function promptTokenIds(text: string, count: number, tokenizer: ((text: string) => ArrayLike<number>) | undefined): ArrayLike<number> {
  if (tokenizer === undefined) return pseudoTokenIds(text, count);
  const real = tokenizer(text);
  if (real.length === count) return real;
  const ids = new Uint32Array(count);
  for (let i = 0; i < count; i++) ids[i] = i < real.length ? (real[i] ?? 0) : Math.imul(i + 1, 0x9e3779b1) >>> 0;
  return ids;
}

/**
 * A chat prompt as a template lays it out: per message a role header, the content, a footer; then
 * the generation prompt, which is the assistant's header (so [prompt + answer] is exactly how the
 * next turn's history begins).
 */
export interface ChatPromptLayout {
  readonly messages: readonly { readonly role: string; readonly text: string; readonly tokens: number }[];
  readonly headerTokens: number;
  readonly footerTokens: number;
  readonly generationTokens: number;
}

/** What a prompt's blocks are hashed over: completion text, token ids, or a chat layout. */
export type PromptContent = string | readonly number[] | ChatPromptLayout;

type TokenizeFn = (text: string) => ArrayLike<number>;

/** Id of the k-th token of a template marker (`<|user|>` header, footer), the same in every request. */
function markerId(marker: string, k: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < marker.length; i++) h = Math.imul(h ^ marker.charCodeAt(i), 0x01000193);
  return mix32(h ^ Math.imul(k + 1, 0x9e3779b1));
}

function chatIds(layout: ChatPromptLayout, tokenizer: TokenizeFn | undefined): number[] {
  const ids: number[] = [];
  const header = (role: string, n: number): void => {
    for (let k = 0; k < n; k++) ids.push(markerId(`<|${role}|>`, k));
  };
  for (const m of layout.messages) {
    header(m.role, layout.headerTokens);
    const content = promptTokenIds(m.text, m.tokens, tokenizer);
    for (let i = 0; i < content.length; i++) ids.push(content[i] ?? 0);
    for (let k = 0; k < layout.footerTokens; k++) ids.push(markerId("<|end|>", k));
  }
  header("assistant", layout.generationTokens);
  return ids;
}

/** The prompt's token ids (real or pseudo), exactly `tokens` of them. */
export function promptIds(content: PromptContent, tokens: number, tokenizer: TokenizeFn | undefined): ArrayLike<number> {
  if (typeof content === "string") return promptTokenIds(content, tokens, tokenizer);
  if (!("messages" in content)) return content;
  const ids = chatIds(content, tokenizer);
  for (let i = ids.length; i < tokens; i++) ids.push(Math.imul(i + 1, 0x9e3779b1) >>> 0);
  ids.length = tokens;
  return ids;
}

/** What prefix caching needs of a prompt: its full blocks' hashes and the ids after the last full block. */
export interface PromptKeys {
  hashes: number[];
  tailIds: number[];
}

/** Block hashes of a parsed prompt, `tokens` long, and the ids of its trailing partial block. */
export function promptKeys(content: PromptContent, tokens: number, blockSize: number, tokenizer: TokenizeFn | undefined): PromptKeys {
  const ids = promptIds(content, tokens, tokenizer);
  const hashes = promptBlockHashes(ids, tokens, blockSize);
  const tailIds: number[] = [];
  for (let i = hashes.length * blockSize; i < tokens; i++) tailIds.push(ids[i] ?? 0);
  return { hashes, tailIds };
}

/**
 * The id generated token i has when its text comes back in a prompt (the simulator's answers
 * repeat a cycle of words): the tokenizer's id of the word when it is one token, else the pseudo
 * id of the text, as a prompt without a tokenizer would cut it.
 */
export function generatedTokenIds(tokenizer: TokenizeFn | undefined): (i: number) => number {
  const ids = Array.from({ length: TOKEN_TEXT_PERIOD }, (_, k) => {
    const text = tokenText(k);
    const real = tokenizer?.(text);
    return real !== undefined && real.length === 1 ? (real[0] ?? 0) : (pseudoTokenIds(text, 1)[0] ?? 0);
  });
  return (i) => ids[i % TOKEN_TEXT_PERIOD] ?? 0;
}

/** Hash of block `block` of a sequence past its prompt's full blocks: the prompt's tail ids, then generated ids. */
export function answerBlockHash(
  parent: number,
  block: number,
  blockSize: number,
  promptTokens: number,
  tailIds: readonly number[],
  generatedId: (i: number) => number,
): number {
  const ids = new Array<number>(blockSize);
  const tailStart = promptTokens - tailIds.length;
  for (let k = 0; k < blockSize; k++) {
    const p = block * blockSize + k;
    ids[k] = p < promptTokens ? (tailIds[p - tailStart] ?? 0) : generatedId(p - promptTokens);
  }
  return chain(parent, ids, 0, blockSize);
}
