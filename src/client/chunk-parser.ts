// Owns the meaning of one SSE event in the OpenAI stream dialects (vLLM, SGLang, TGI,
// llama.cpp, vllm.rs): end marker, generated text, finish reason, usage, or an error
// (Responses API events go to responses-events.ts).
// Pure and total: any input yields a result, never a throw.

import type { UsageCounts } from "./record.js";
import type { ChunkEvent, ErrorEvent, StreamEvent } from "./stream-event.js";
import { clip, isCount, isObject } from "./json-values.js";
import { isResponsesEvent, parseResponsesEvent } from "./responses-events.js";

export type { ChunkEvent, ErrorEvent, StreamEvent } from "./stream-event.js";

const DONE: StreamEvent = { kind: "done" };

/**
 * Interprets one event's data. A chunk "carries a token" iff `content` or `reasoning` is
 * non-empty: role-only chunks, `content: ""`, `content: null` and `delta: {}` do not.
 *
 * @example
 * parseChunk('{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}')
 * // { kind: "chunk", content: "Hi", reasoning: "", finishReason: undefined, usage: undefined }
 */
export function parseChunk(data: string): StreamEvent {
  // Checked before JSON.parse so the one marker per stream never costs a thrown exception.
  if (data.charCodeAt(0) === 0x5b && data.trim() === "[DONE]") return DONE;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return notJson(data);
  }
  if (!isObject(value)) {
    return { kind: "error", code: "bad_sse", message: `event data is not a JSON object: ${clip(data)}` };
  }
  if (isResponsesEvent(value)) return parseResponsesEvent(value);
  if (value["error"] != null) return midstreamError(value["error"]);

  let content = "";
  let reasoning = "";
  let finishReason: string | undefined;
  const choices = value["choices"];
  const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
  if (isObject(choice)) {
    // vllm.rs reports failures in a per-choice `error` field.
    if (choice["error"] != null) return midstreamError(choice["error"]);
    const delta = choice["delta"];
    if (isObject(delta)) {
      const c = delta["content"];
      if (typeof c === "string") content = c;
      // Some vLLM releases send both names with the same text: count it once.
      const r = delta["reasoning"] ?? delta["reasoning_content"];
      if (typeof r === "string") reasoning = r;
    } else {
      const t = choice["text"];
      if (typeof t === "string") content = t;
    }
    const f = choice["finish_reason"];
    if (typeof f === "string" && f !== "") finishReason = f;
  }
  const usage = value["usage"];
  const id = value["id"];
  const counts = isObject(usage) ? parseUsage(usage) : undefined;
  // llama.cpp also reports the prompt cache's share in `timings.cache_n` (older builds: only there).
  const timings = value["timings"];
  if (counts !== undefined && counts.cachedPromptTokens === undefined && isObject(timings) && isCount(timings["cache_n"])) {
    counts.cachedPromptTokens = timings["cache_n"];
  }
  return {
    kind: "chunk",
    content,
    reasoning,
    finishReason,
    usage: counts,
    responseId: typeof id === "string" && id !== "" ? id : undefined,
  };
}

function notJson(data: string): StreamEvent {
  const trimmed = data.trim();
  if (trimmed === "[DONE]") return DONE;
  // Text that never tried to be JSON is a server's error message (vllm.rs sends `data:<message>`);
  // broken JSON means the stream itself is corrupt.
  const first = trimmed.charCodeAt(0);
  if (first === 0x7b || first === 0x5b) {
    return { kind: "error", code: "bad_sse", message: `event data is not valid JSON: ${clip(trimmed)}` };
  }
  return { kind: "error", code: "midstream_error", message: clip(trimmed) || "(empty event data)" };
}

function midstreamError(error: unknown): ErrorEvent {
  if (!isObject(error)) {
    const text = typeof error === "string" ? error : JSON.stringify(error);
    return { kind: "error", code: "midstream_error", message: clip(text) };
  }
  const message = typeof error["message"] === "string" ? error["message"] : JSON.stringify(error);
  const details: string[] = [];
  if (typeof error["type"] === "string") details.push(error["type"]);
  const status = error["http_status_code"] ?? error["code"];
  if (typeof status === "number" || typeof status === "string") details.push(String(status));
  const suffix = details.length > 0 ? ` (${details.join(", ")})` : "";
  return { kind: "error", code: "midstream_error", message: clip(message) + suffix };
}

function parseUsage(usage: Record<string, unknown>): UsageCounts {
  const counts: UsageCounts = {};
  const prompt = usage["prompt_tokens"];
  if (typeof prompt === "number") counts.promptTokens = prompt;
  const completion = usage["completion_tokens"];
  if (typeof completion === "number") counts.completionTokens = completion;
  const details = usage["completion_tokens_details"];
  // OpenAI/vLLM nest reasoning_tokens in completion_tokens_details; SGLang puts it at the top.
  const reasoning = (isObject(details) ? details["reasoning_tokens"] : undefined) ?? usage["reasoning_tokens"];
  if (typeof reasoning === "number") counts.reasoningTokens = reasoning;
  // vLLM (--enable-prompt-tokens-details), SGLang and llama.cpp: prompt tokens the prefix cache served.
  const promptDetails = usage["prompt_tokens_details"];
  const cached = isObject(promptDetails) ? promptDetails["cached_tokens"] : undefined;
  if (isCount(cached)) counts.cachedPromptTokens = cached;
  return counts;
}
