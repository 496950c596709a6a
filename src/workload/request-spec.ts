// Owns the shape of one request to send: what the workload produces and the client consumes.
// Token counts here are the client tokenizer's; the server's `usage` is recorded separately.

import type { Endpoint } from "../config/endpoints.js";

export { ENDPOINTS, type Endpoint } from "../config/endpoints.js";

/** Routes whose prompt is a list of messages the server renders with its chat template (chat, the Responses API). */
export function usesMessages(endpoint: Endpoint): boolean {
  return endpoint === "chat" || endpoint === "responses";
}

/** The route's path below /v1. */
export const ENDPOINT_PATHS: Record<Endpoint, string> = {
  completions: "/completions",
  chat: "/chat/completions",
  embeddings: "/embeddings",
  responses: "/responses",
};

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
  /**
   * Prompt tokens as the server will count them when the counter can know it: completions include
   * the special tokens the tokenizer adds (BOS); chat includes the chat template when rendered
   * (see PromptCounter.method), otherwise message contents only.
   */
  inputTokens: number;
  /** Requested completion length; undefined lets the server decide (dataset rows without a target). */
  targetOutputTokens: number | undefined;
  /** Shared-prefix group of this request (--prefix-groups). */
  group?: number;
  /** Leading tokens shared with every other request of the group (for the best-case cache hit rate). */
  prefixTokens?: number;
}

/** One multi-turn conversation: each turn sends the history with the answers actually received. */
export interface SessionSpec {
  index: number;
  /** Messages before the first user turn (a system prompt), sent with every turn. */
  system: ChatMessage[];
  turns: SessionTurn[];
}

export interface SessionTurn {
  user: string;
  targetOutputTokens: number | undefined;
}
