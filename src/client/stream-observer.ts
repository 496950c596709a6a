// Owns turning one HTTP exchange (status, timestamped reads, end or failure) into a
// RequestRecord: the outcome rules live here. Pure: the caller supplies every timestamp,
// so the rules are tested without sockets or sleeps.

import { ChunkReader } from "./chunk-template.js";
import { formatErrorBody, parseErrorBody } from "./error-body.js";
import type { Outcome, RequestError, RequestRecord, UsageCounts } from "./record.js";
import { DEFAULT_MAX_EVENT_BYTES, SseDecoder } from "./sse-decoder.js";
import { MAX_PLAUSIBLE_TOKENS, plausibleCompletionTokens, plausiblePromptTokens } from "./usage-bounds.js";

export interface ObserverInit {
  id: string;
  level: number;
  index: number;
  warmup: boolean;
  /** Clock ms (same clock as `originMs`); the record stores every time relative to origin. */
  originMs: number;
  scheduledMs: number;
  sentMs: number;
  targetInputTokens: number;
  targetOutputTokens: number | undefined;
  /** Keep the generated text (reasoning + content, in arrival order) for `text()`. */
  keepText: boolean;
  /** Removed from every error message (an API key echoed by a proxy must not reach a report). */
  secret?: string | undefined;
  /** Bound on one SSE line or event (default 4 MiB, --max-event-size); past it: error "sse_too_large". */
  maxEventBytes?: number | undefined;
  /** What a 2xx body is: an SSE stream of generated text (default), or one /v1/embeddings JSON answer. */
  body?: "sse" | "embeddings";
}

/** Response headers the outcome rules look at, besides status and content type. */
export interface ResponseFacts {
  /** content-encoding: a compressed stream is named, not reported as a mysteriously incomplete one. */
  contentEncoding?: string | undefined;
  /** location of a 3xx: recorded with a hint, since redirects are not followed. */
  location?: string | undefined;
}

export type FailureKind = "timeout" | "aborted" | "cancelled" | "connection";

/** Only this much of an error body is kept: enough for any real message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export class StreamObserver {
  readonly #init: ObserverInit;
  readonly #decoder: SseDecoder;
  readonly #chunks = new ChunkReader();
  #facts: ResponseFacts = {};
  /** Set when the rest of the body is useless and the connection should be cut (too large, compressed). */
  #abandon = false;
  #status = 0;
  #contentType: string | undefined;
  #headersMs: number | undefined;
  /** Arrival time of the read being decoded; every event decoded from it shares it. */
  #readMs = 0;
  #events = 0;
  /** Arrival of each text-carrying chunk, ms since the origin (as the record stores them). */
  #tokenChunkMs: number[] = [];
  #firstContentMs: number | undefined;
  #outputChars = 0;
  #textParts: string[] | undefined;
  #finishReason: string | undefined;
  #usage: UsageCounts | undefined;
  #responseId: string | undefined;
  #sawDone = false;
  #errorBody: Buffer[] = [];
  #errorBodyBytes = 0;
  #outcome: Outcome | undefined;
  #error: RequestError | undefined;
  #endMs = 0;
  #usageImpossible: string | undefined;
  #clientRetry: string | undefined;
  #cancelled: string | undefined;
  /** The JSON answer of an embeddings request, gathered until the body ends. */
  #json: Buffer[] | undefined;
  #jsonBytes = 0;

  constructor(init: ObserverInit) {
    if (init.body === "embeddings") this.#json = [];
    this.#init = init;
    if (init.keepText) this.#textParts = [];
    const maxBytes = init.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.#decoder = new SseDecoder((data) => this.#onEvent(data), {
      maxBytes,
      onTooLarge: (what, bytes) => {
        this.#abandon = true;
        this.#settleError(
          "sse_too_large",
          `an SSE ${what} passed ${formatSize(maxBytes)} (${formatSize(bytes)} so far) without ending: the stream was cut (--max-event-size raises the limit)`,
          this.#readMs,
        );
      },
    });
  }

  /** True when the caller should stop reading and close the connection (the body can only waste memory). */
  get abandoned(): boolean {
    return this.#abandon;
  }

  /** True once the outcome is decided; later input is ignored. */
  get settled(): boolean {
    return this.#outcome !== undefined;
  }

  responseStart(status: number, contentType: string | undefined, nowMs: number, facts: ResponseFacts = {}): void {
    if (this.settled || status < 200) return; // 1xx interim responses are not the answer
    this.#status = status;
    this.#contentType = contentType;
    this.#headersMs = nowMs;
    this.#facts = facts;
    const encoding = facts.contentEncoding?.trim().toLowerCase();
    if (status < 300 && encoding !== undefined && encoding !== "" && encoding !== "identity") {
      this.#abandon = true;
      this.#settleError(
        "content_encoding",
        `the server sent a ${encoding}-encoded stream (content-encoding: ${encoding}) although servebench asked for identity; servebench does not decode compressed streams: turn compression off for this route`,
        nowMs,
      );
    }
  }

  /** One network read, timestamped on arrival. Returns `settled`. */
  data(chunk: Buffer, nowMs: number): boolean {
    if (this.settled) return true;
    if (this.#status >= 300) {
      if (this.#errorBodyBytes < MAX_ERROR_BODY_BYTES) {
        this.#errorBody.push(Buffer.from(chunk));
        this.#errorBodyBytes += chunk.length;
      }
      return false;
    }
    this.#readMs = nowMs;
    if (this.#json !== undefined) return this.#gatherJson(chunk, nowMs);
    this.#decoder.write(chunk);
    return this.settled;
  }

  #gatherJson(chunk: Buffer, nowMs: number): boolean {
    const maxBytes = this.#init.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.#jsonBytes += chunk.length;
    if (this.#jsonBytes > maxBytes) {
      this.#abandon = true;
      this.#settleError(
        "sse_too_large",
        `the JSON answer passed ${formatSize(maxBytes)} without ending: it was cut (--max-event-size raises the limit)`,
        nowMs,
      );
      return true;
    }
    this.#events++;
    this.#json?.push(Buffer.from(chunk));
    return false;
  }

  /** An embeddings answer: ok when it holds an embedding for the input; its usage is the prompt's. */
  #completeJson(endMs: number): void {
    const text = Buffer.concat(this.#json ?? []).toString("utf8");
    this.#json = [];
    const verdict = readEmbeddings(text);
    if (verdict.error !== undefined) {
      this.#settleError(verdict.code, verdict.error, endMs);
      return;
    }
    if (verdict.usage !== undefined) this.#usage = verdict.usage;
    if (verdict.id !== undefined) this.#responseId = verdict.id;
    this.#outcome = "ok";
    this.#endMs = endMs;
    this.#usageImpossible = impossibleUsage(this.#usage, 0, this.#init.targetInputTokens);
  }

  /** The response body ended normally. */
  end(nowMs: number): void {
    if (this.settled) return;
    if (this.#status >= 300) {
      this.#settleHttpError(nowMs);
      return;
    }
    this.#readMs = nowMs;
    if (this.#json !== undefined) {
      this.#completeJson(nowMs);
      return;
    }
    this.#decoder.end();
    if (!this.settled) this.#complete(nowMs);
  }

  /** True before any response byte: the request can still be sent again without a trace. */
  /** Chunks that carried generated text so far. */
  get tokenChunks(): number {
    return this.#tokenChunkMs.length;
  }

  get untouched(): boolean {
    return !this.settled && this.#status === 0 && this.#events === 0;
  }

  /** The request is being sent again on a fresh connection (see RequestRecord.clientRetry). */
  noteClientRetry(message: string): void {
    this.#clientRetry = message;
  }

  /** The exchange failed before its body ended. */
  fail(kind: FailureKind, message: string, nowMs: number): void {
    if (this.settled) return;
    if (kind === "aborted" || kind === "cancelled") {
      this.#outcome = "aborted";
      this.#endMs = nowMs;
      if (kind === "cancelled") this.#cancelled = message;
    } else if (this.#status >= 300) {
      this.#settleHttpError(nowMs);
    } else if (kind === "connection" && this.#finishReason !== undefined) {
      // Everything was generated; only the [DONE] marker or the chunked terminator was lost.
      this.#complete(nowMs);
    } else {
      this.#settleError(kind, message, nowMs);
    }
  }

  record(): RequestRecord {
    const init = this.#init;
    const origin = init.originMs;
    const record: RequestRecord = {
      id: init.id,
      level: init.level,
      index: init.index,
      warmup: init.warmup,
      scheduledMs: init.scheduledMs - origin,
      sentMs: init.sentMs - origin,
      endMs: (this.settled ? this.#endMs : init.sentMs) - origin,
      tokenChunkMs: this.#tokenChunkMs.slice(),
      outcome: this.#outcome ?? "error",
      targetInputTokens: init.targetInputTokens,
      outputChars: this.#outputChars,
    };
    if (this.#headersMs !== undefined) record.headersMs = this.#headersMs - origin;
    const firstTokenMs = this.#tokenChunkMs[0];
    if (firstTokenMs !== undefined) record.firstTokenMs = firstTokenMs;
    if (this.#firstContentMs !== undefined) record.firstContentMs = this.#firstContentMs - origin;
    if (this.#error !== undefined) record.error = this.#error;
    else if (this.#outcome === undefined) record.error = { code: "incomplete", message: "not settled" };
    if (this.#finishReason !== undefined) record.finishReason = this.#finishReason;
    if (this.#usage !== undefined) record.usage = this.#usage;
    if (this.#responseId !== undefined) record.responseId = this.#responseId;
    if (init.targetOutputTokens !== undefined) record.targetOutputTokens = init.targetOutputTokens;
    if (this.#usageImpossible !== undefined) record.usageImpossible = this.#usageImpossible;
    if (this.#clientRetry !== undefined) record.clientRetry = this.#clientRetry;
    if (this.#cancelled !== undefined) record.cancelled = this.#cancelled;
    return record;
  }

  /** The generated text when `keepText` was set. */
  text(): string | undefined {
    return this.#textParts?.join("");
  }

  #onEvent(data: string): void {
    if (this.settled) return; // e.g. the [DONE] that vLLM sends after an error event
    this.#events++;
    const event = this.#chunks.read(data);
    if (event.kind === "done") {
      this.#sawDone = true;
      this.#complete(this.#readMs);
      return;
    }
    if (event.kind === "error") {
      this.#settleError(event.code, event.message, this.#readMs);
      return;
    }
    const { content, reasoning } = event;
    if (content.length > 0 || reasoning.length > 0) {
      // Stored relative to the origin as they arrive: the record takes them without a pass.
      this.#tokenChunkMs.push(this.#readMs - this.#init.originMs);
      if (content.length > 0 && this.#firstContentMs === undefined) this.#firstContentMs = this.#readMs;
      this.#outputChars += content.length + reasoning.length;
      if (this.#textParts !== undefined) this.#textParts.push(reasoning.length > 0 ? reasoning + content : content);
    }
    if (event.finishReason !== undefined) this.#finishReason = event.finishReason;
    if (this.#responseId === undefined && event.responseId !== undefined) this.#responseId = event.responseId;
    // vLLM continuous_usage_stats puts usage on every chunk: the last one is the total.
    if (event.usage !== undefined) this.#usage = event.usage;
  }

  #complete(endMs: number): void {
    if (!this.#sawDone && this.#finishReason === undefined) {
      const isSse = this.#contentType?.includes("text/event-stream") ?? false;
      if (this.#events === 0 && !isSse) {
        this.#settleError("bad_sse", `expected a text/event-stream body, got ${this.#contentType ?? "no content-type"}`, endMs);
      } else {
        this.#settleError("incomplete", "stream ended without [DONE] or a finish_reason", endMs);
      }
      return;
    }
    if (this.#tokenChunkMs.length === 0 && this.#init.targetOutputTokens !== 0) {
      this.#settleError("empty_response", "the stream carried no generated text", endMs);
      return;
    }
    this.#outcome = "ok";
    this.#endMs = endMs;
    this.#usageImpossible = impossibleUsage(this.#usage, this.#tokenChunkMs.length, this.#init.targetInputTokens);
  }

  #settleHttpError(nowMs: number): void {
    const body = Buffer.concat(this.#errorBody).toString("utf8");
    this.#errorBody = [];
    let message = formatErrorBody(parseErrorBody(body));
    if (this.#status < 400) {
      const to = this.#facts.location === undefined ? "no Location header" : `Location: ${this.#facts.location}`;
      message = `redirect (HTTP ${this.#status}, ${to}); servebench does not follow redirects: point --url at the final address${message === "" || message === "(empty body)" ? "" : ` (${message})`}`;
    }
    this.#settleError(`http_${this.#status}`, message, nowMs, this.#status);
  }

  #settleError(code: string, message: string, nowMs: number, httpStatus?: number): void {
    const secret = this.#init.secret;
    const safe = secret ? message.replaceAll(secret, "[redacted]") : message;
    this.#error = httpStatus === undefined ? { code, message: safe } : { code, httpStatus, message: safe };
    this.#outcome = "error";
    this.#endMs = nowMs;
  }
}

/** What a /v1/embeddings answer says: its usage and id, or why it is not an answer. */
export function readEmbeddings(text: string): { usage?: UsageCounts; id?: string; error?: undefined } | { error: string; code: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { code: "bad_json", error: `the embeddings answer is not JSON: ${text.slice(0, 200)}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { code: "bad_json", error: "the embeddings answer is not a JSON object" };
  const v = value as Record<string, unknown>;
  if (v.error != null) return { code: "midstream_error", error: formatErrorBody(parseErrorBody(text)) };
  const data = v.data;
  const first: unknown = Array.isArray(data) ? data[0] : undefined;
  const embedding = first !== null && typeof first === "object" ? (first as Record<string, unknown>).embedding : undefined;
  if (!(Array.isArray(embedding) && embedding.length > 0) && typeof embedding !== "string") {
    return { code: "empty_response", error: "the embeddings answer holds no embedding (data[0].embedding)" };
  }
  const out: { usage?: UsageCounts; id?: string } = {};
  const usage = v.usage as Record<string, unknown> | undefined;
  if (usage !== null && typeof usage === "object" && typeof usage.prompt_tokens === "number") out.usage = { promptTokens: usage.prompt_tokens };
  if (typeof v.id === "string" && v.id !== "") out.id = v.id;
  return out;
}

/**
 * Why a completed request's usage cannot be right, or undefined. Every text-carrying chunk holds
 * at least one token, so completion_tokens below their count is impossible; a prompt the client
 * counted as non-empty cannot be 0 tokens, nor more than 100× (plus 1,000) the client's count.
 */
export function impossibleUsage(usage: UsageCounts | undefined, textChunks: number, clientPromptTokens: number): string | undefined {
  const completion = usage?.completionTokens;
  if (completion !== undefined && completion < textChunks) {
    return `usage.completion_tokens ${completion} is below the ${textChunks} text chunks streamed`;
  }
  // No request generates this many tokens: a counter bug (e.g. 1e12) would otherwise become the throughput.
  if (completion !== undefined && !plausibleCompletionTokens(completion, textChunks)) {
    return `usage.completion_tokens ${completion} is absurd (more than ${MAX_PLAUSIBLE_TOKENS})`;
  }
  const prompt = usage?.promptTokens;
  if (prompt !== undefined && !plausiblePromptTokens(prompt, clientPromptTokens)) {
    return `usage.prompt_tokens ${prompt} is absurd for a prompt of ${clientPromptTokens} tokens`;
  }
  return undefined;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} bytes`;
}
