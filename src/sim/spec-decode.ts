// Owns speculative decoding's acceptance model: how likely the i-th draft token of a step is
// accepted given the ones before it were, and the tokens a decode row yields per step on average.
// Pure arithmetic; the engine draws from it, predict's crossover reads its expectation.

/**
 * Conditional acceptance of draft position i (0-based): p^(1 + i/4). Acceptance falls with the
 * position (a draft drifts from the target the further it runs ahead: vLLM's per-position
 * acceptance metrics fall from ~0.77 to ~0.65 conditional over 5 EAGLE positions), a perfect
 * draft (p = 1) stays perfect, and p is what the first position gets.
 */
export function positionAcceptance(p: number, i: number): number {
  return p ** (1 + i / 4);
}

/** Expected tokens one decode row emits per step with k draft tokens: 1 + Σ_j Π_{i<j} acceptance(i). */
export function expectedTokensPerStep(k: number, p: number): number {
  let all = 1;
  let sum = 1;
  for (let i = 0; i < k; i++) {
    all *= positionAcceptance(p, i);
    sum += all;
  }
  return sum;
}
