// Owns what the simulator "generates": a deterministic word per token and the seeded decision of
// where (if anywhere) a request stops on EOS. Decided once at admission so the engine only counts.

/** Short common words; each token's text is one of them preceded by a space. */
const WORDS = [
  "the",
  "quick",
  "brown",
  "fox",
  "jumps",
  "over",
  "a",
  "lazy",
  "dog",
  "and",
  "then",
  "runs",
  "to",
  "the",
  "old",
  "mill",
  "by",
  "river",
  "in",
  "spring",
] as const;

/** Generated texts repeat with this period: tokenText(i) === tokenText(i + TOKEN_TEXT_PERIOD). */
export const TOKEN_TEXT_PERIOD = WORDS.length;

/** Text of generated token `index` (0-based): " the", " quick", … cycling. */
export function tokenText(index: number): string {
  return ` ${WORDS[index % WORDS.length] ?? "the"}`;
}

export type PlannedFinish = "length" | "stop";

export interface OutputPlanInput {
  maxTokens: number;
  minTokens: number;
  ignoreEos: boolean;
  /** Chance that each eligible token is EOS. 0 means outputs are always exactly maxTokens long. */
  eosProbability: number;
  /** Seeds the EOS draw so the same request gives the same output. */
  seed: number;
}

export interface OutputPlan {
  /** completion_tokens: text tokens plus the EOS token when finishReason is "stop". */
  tokens: number;
  finishReason: PlannedFinish;
}

/**
 * Like vLLM: EOS is suppressed while fewer than minTokens tokens exist, and the length limit wins on
 * the last position. An EOS token has empty text but counts in completion_tokens.
 */
export function planOutput(input: OutputPlanInput): OutputPlan {
  const { maxTokens, minTokens, ignoreEos, eosProbability } = input;
  if (ignoreEos || eosProbability <= 0) return { tokens: maxTokens, finishReason: "length" };
  const random = mulberry32(input.seed);
  // Position k (1-based) may be EOS only if k - 1 >= minTokens text tokens precede it and k < maxTokens.
  for (let k = minTokens + 1; k < maxTokens; k++) {
    if (random() < eosProbability) return { tokens: k, finishReason: "stop" };
  }
  return { tokens: maxTokens, finishReason: "length" };
}

/** Mixes two integers into one 32-bit seed (so seed + request number gives unrelated streams). */
export function mixSeed(a: number, b: number): number {
  let h = Math.imul((a | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((b | 0) + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Small, fast, seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
