// Owns the content hashes of KV blocks for prefix caching: a chain hash per full block of prompt
// tokens (real token ids from an injected tokenizer, or deterministic pseudo-tokens cut from the
// text), and request-unique hashes for blocks holding generated tokens.

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
  for (let i = 0; i < count; i++) ids[i] = i < real.length ? (real[i] ?? 0) : (Math.imul(i + 1, 0x9e3779b1) >>> 0);
  return ids;
}

/** Block hashes of a parsed prompt (its text or token ids), `tokens` long. */
export function hashPrompt(
  content: string | readonly number[],
  tokens: number,
  blockSize: number,
  tokenizer: ((text: string) => ArrayLike<number>) | undefined,
): number[] {
  const ids = typeof content === "string" ? promptTokenIds(content, tokens, tokenizer) : content;
  return promptBlockHashes(ids, tokens, blockSize);
}
