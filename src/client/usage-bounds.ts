// Owns what a server's usage counts can be: the client flags a record whose counts cannot be right
// (stream-observer.ts), and the metrics use the client's own counts for it instead (metrics/derive.ts).

/** More output tokens than any request generates. */
export const MAX_PLAUSIBLE_TOKENS = 100_000_000;

/** A completion_tokens that can be right: at least one token per text chunk streamed, and not absurd. */
export function plausibleCompletionTokens(completion: number, textChunks: number): boolean {
  return completion >= textChunks && completion <= MAX_PLAUSIBLE_TOKENS;
}

/** A prompt_tokens that can be right for a prompt the client counted as `clientPromptTokens` tokens (0: not counted, anything goes). */
export function plausiblePromptTokens(prompt: number, clientPromptTokens: number): boolean {
  return clientPromptTokens <= 0 || (prompt > 0 && prompt <= clientPromptTokens * 100 + 1000);
}
