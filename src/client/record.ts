// Owns the raw per-request record: what one request did, as observed by the client.
// Every time is milliseconds since the run's clock origin (RunClock.originMs) on the shared
// monotonic clock (src/clock.ts). Derived metrics (TTFT, TPOT, ...) live in src/metrics/, not here.

export type Outcome = "ok" | "error" | "aborted";

export interface RequestError {
  /**
   * Stable code: "http_<status>", "midstream_error", "timeout", "connection", "bad_sse", "incomplete",
   * "empty_response", "bad_json" (an embeddings answer that is not JSON), "sse_too_large" (a line or event above the size limit), "content_encoding" (a compressed stream).
   */
  code: string;
  httpStatus?: number;
  message: string;
}

export interface UsageCounts {
  promptTokens?: number;
  completionTokens?: number;
  reasoningTokens?: number;
  /** Prompt tokens the server served from its prefix cache (`usage.prompt_tokens_details.cached_tokens`, llama.cpp `timings.cache_n`). */
  cachedPromptTokens?: number;
}

export interface RequestRecord {
  /** Unique within the run: `<level>-<index>` (warmups `<level>-w<index>`). */
  id: string;
  level: number;
  index: number;
  warmup: boolean;
  /** When the load schedule said this request should be sent. Latency is measured from here. */
  scheduledMs: number;
  /** When the client actually started sending (>= scheduledMs; the gap is scheduler lag / queue wait). */
  sentMs: number;
  /** When response headers arrived. */
  headersMs?: number;
  /** First chunk carrying generated text (content or reasoning). Role-only and empty chunks never count. */
  firstTokenMs?: number;
  /** First chunk carrying answer content (not reasoning). */
  firstContentMs?: number;
  /** When the stream ended (DONE, connection end, error or abort). */
  endMs: number;
  /** Arrival time of every chunk that carried generated text, in order (firstTokenMs is the first). */
  tokenChunkMs: number[];
  outcome: Outcome;
  error?: RequestError;
  finishReason?: string;
  /** The server's response id (`id` of the first chunk that had one), to correlate with server logs. */
  responseId?: string;
  /** As reported by the server's `usage`; absent when the server sent none. */
  usage?: UsageCounts;
  /** Client tokenizer count of the prompt (what was meant to be sent). */
  targetInputTokens: number;
  /** Requested output length (max_tokens = min_tokens); absent when the server chooses. */
  targetOutputTokens?: number;
  /** Characters of generated text received (content + reasoning). */
  outputChars: number;
  /** Client tokenizer count of the received text, when a tokenizer was available. */
  clientOutputTokens?: number;
  /**
   * Why the server's `usage` cannot be right, when it cannot: completion_tokens below the number of
   * text-carrying chunks streamed (each carries at least one token), or an absurd prompt_tokens.
   * Output tokens of such a request are then counted from the streamed chunks (src/metrics/derive.ts).
   */
  usageImpossible?: string;
  /**
   * Set when the request was sent a second time on a fresh connection because a reused
   * keep-alive socket failed before any response byte (the server had closed it): the
   * client's own connection reuse, never charged to the server. The first failure's message.
   */
  clientRetry?: string;
  /**
   * Cancelled on purpose by the client as an impatient user would (--cancel-rate): outcome
   * "aborted", excluded from latency distributions, counted in the level's `cancelled`.
   */
  cancelled?: string;
}
