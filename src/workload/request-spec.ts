// Owns the shape of one request to send: what the workload produces and the client consumes.
// Token counts here are the client tokenizer's; the server's `usage` is recorded separately.

export type Endpoint = "completions" | "chat";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface RequestSpec {
  /** Position of this request within its level (0-based). */
  index: number;
  /** Prompt text for /v1/completions. */
  prompt?: string;
  /** Messages for /v1/chat/completions. */
  messages?: ChatMessage[];
  /** Prompt tokens counted by the client tokenizer (for chat: message contents, no template). */
  inputTokens: number;
  /** Requested completion length; undefined lets the server decide (dataset rows without a target). */
  targetOutputTokens: number | undefined;
}
