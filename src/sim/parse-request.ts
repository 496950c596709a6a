// Owns turning a decoded JSON request body into what the engine needs (prompt tokens, output
// limits, stream flags), or into the vLLM-shaped error a real server would answer with.
// No I/O; prompt tokens come from the injected counter.

import type { ChatPromptLayout, PromptContent } from "./block-hash.js";
import { badRequest, contextLengthExceeded, modelNotFound, promptTooLong } from "./vllm-wire.js";
import type { Endpoint, WireError } from "./vllm-wire.js";

export interface ParsedRequest {
  endpoint: Endpoint;
  stream: boolean;
  includeUsage: boolean;
  promptTokens: number;
  /** What the prompt's KV blocks are hashed over: its text, its token ids, or (chat) its template layout. */
  promptContent: PromptContent;
  maxTokens: number;
  minTokens: number;
  ignoreEos: boolean;
  /** The request's own `seed`, if it sent one. */
  seed: number | undefined;
}

export interface ParseContext {
  /** The served model; undefined accepts any `model` (servers that ignore the field). */
  model: string | undefined;
  maxModelLen: number;
  /** Overrides the per-endpoint default when the request has no max_tokens. */
  defaultMaxTokens: number | undefined;
  countPromptTokens: (text: string) => number;
  chatTemplateTokens: number;
  chatMessageTokens: number;
}

export type ParseResult = { ok: true; request: ParsedRequest } | { ok: false; error: WireError };

type Json = Record<string, unknown>;
class Invalid extends Error {
  constructor(readonly error: WireError) {
    super(error.message);
  }
}
const fail = (message: string, param: string | null = null): never => {
  throw new Invalid(badRequest(message, param));
};

export function parseRequest(endpoint: Endpoint, body: unknown, ctx: ParseContext): ParseResult {
  try {
    return { ok: true, request: parseOrThrow(endpoint, body, ctx) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.error };
    throw error;
  }
}

function parseOrThrow(endpoint: Endpoint, body: unknown, ctx: ParseContext): ParsedRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return fail("Request body must be a JSON object");
  const b = body as Json;
  const model = optional(b, "model", "string");
  if (model !== undefined && ctx.model !== undefined && model !== ctx.model) throw new Invalid(modelNotFound(model));
  const stream = optional(b, "stream", "boolean") ?? false;
  const streamOptions = b["stream_options"];
  let includeUsage = false;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!stream) fail("Stream options can only be defined when `stream=True`.", "stream_options");
    if (typeof streamOptions !== "object" || Array.isArray(streamOptions)) fail("stream_options must be an object", "stream_options");
    includeUsage = optional(streamOptions as Json, "include_usage", "boolean") ?? false;
  }
  const n = optional(b, "n", "number");
  if (n !== undefined && n !== 1) fail("The simulator supports only n = 1", "n");

  const { tokens: promptTokens, content: promptContent } = promptOf(endpoint, b, ctx);
  if (promptTokens >= ctx.maxModelLen) throw new Invalid(promptTooLong(ctx.maxModelLen, promptTokens));
  // An embedding is one forward pass over the prompt: timed as a prefill and one step, answered as JSON.
  if (endpoint === "embeddings")
    return { endpoint, stream: false, includeUsage: false, promptTokens, promptContent, maxTokens: 1, minTokens: 1, ignoreEos: true, seed: undefined };

  const requested =
    endpoint === "responses"
      ? integer(b, "max_output_tokens", 1)
      : ((endpoint === "chat" ? integer(b, "max_completion_tokens", 1) : undefined) ?? integer(b, "max_tokens", 1));
  const fallback = ctx.defaultMaxTokens ?? (endpoint === "completions" ? 16 : ctx.maxModelLen - promptTokens);
  const maxTokens = requested ?? fallback;
  if (promptTokens + maxTokens > ctx.maxModelLen) {
    throw new Invalid(contextLengthExceeded(ctx.maxModelLen, promptTokens, maxTokens));
  }
  const minTokens = integer(b, "min_tokens", 0) ?? 0;
  if (minTokens > maxTokens) fail(`min_tokens must be less than or equal to max_tokens=${maxTokens}, got ${minTokens}.`, "min_tokens");
  const seed = integer(b, "seed");
  const ignoreEos = optional(b, "ignore_eos", "boolean") ?? false;
  return { endpoint, stream, includeUsage, promptTokens, promptContent, maxTokens, minTokens, ignoreEos, seed };
}

/** The prompt of each route: completions' `prompt`, chat's `messages`, the Responses API's `input` (text: one user message), embeddings' `input`. */
function promptOf(endpoint: Endpoint, b: Json, ctx: ParseContext): PromptCount {
  if (endpoint === "chat") return chatPromptTokens(b, ctx);
  if (endpoint === "completions") return completionPromptTokens(b, ctx);
  const input = b["input"];
  if (endpoint === "embeddings") return completionPromptTokens({ prompt: input }, ctx, "input");
  if (typeof input === "string") {
    if (input.length === 0) fail("input cannot be empty", "input");
    return chatPromptTokens({ messages: [{ role: "user", content: input }] }, ctx);
  }
  return chatPromptTokens({ messages: input }, ctx, "input");
}

interface PromptCount {
  tokens: number;
  content: PromptContent;
}

function completionPromptTokens(b: Json, ctx: ParseContext, field = "prompt"): PromptCount {
  const prompt = b["prompt"];
  // One prompt may be a string, a token-id list, or a one-element batch of either.
  const single = Array.isArray(prompt) && prompt.length === 1 && (typeof prompt[0] === "string" || Array.isArray(prompt[0])) ? prompt[0] : prompt;
  if (typeof single === "string") {
    if (single.length === 0) fail(`${field === "prompt" ? "Prompt" : field} cannot be empty`, field);
    return { tokens: ctx.countPromptTokens(single), content: single };
  }
  if (Array.isArray(single) && single.length > 0 && single.every((t) => Number.isInteger(t) && (t as number) >= 0)) {
    return { tokens: single.length, content: single as number[] };
  }
  if (Array.isArray(single) && single.length > 1 && single.every((p) => typeof p === "string" || Array.isArray(p))) {
    return fail("The simulator supports one prompt per request", field);
  }
  return fail(`${field} must be a non-empty string or a list of token ids`, field);
}

/**
 * Counted per message, not on the concatenation: chat templates put special tokens between messages,
 * so a real tokenizer never merges text across a message boundary.
 */
function chatPromptTokens(b: Json, ctx: ParseContext, field = "messages"): PromptCount {
  const messages = b["messages"];
  if (!Array.isArray(messages) || messages.length === 0) return fail(`${field} must be a non-empty list`, field);
  let tokens = ctx.chatTemplateTokens;
  const laidOut: { role: string; text: string; tokens: number }[] = [];
  for (const message of messages) {
    if (typeof message !== "object" || message === null || typeof (message as Json)["role"] !== "string") {
      return fail("each message must be an object with a string role", "messages");
    }
    const text = messageText((message as Json)["content"]);
    const count = ctx.countPromptTokens(text);
    tokens += ctx.chatMessageTokens + count;
    laidOut.push({ role: (message as Json)["role"] as string, text, tokens: count });
  }
  // The generation prompt is the assistant's header; what a message adds beyond a header is its footer.
  const headerTokens = Math.min(ctx.chatTemplateTokens, ctx.chatMessageTokens);
  const content: ChatPromptLayout = {
    messages: laidOut,
    headerTokens,
    footerTokens: ctx.chatMessageTokens - headerTokens,
    generationTokens: ctx.chatTemplateTokens,
  };
  return { tokens, content };
}

function messageText(content: unknown): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    let text = "";
    for (const part of content) {
      if (typeof part !== "object" || part === null || (part as Json)["type"] !== "text" || typeof (part as Json)["text"] !== "string") {
        return fail("the simulator accepts only text content parts", "messages");
      }
      text += (part as Json)["text"] as string;
    }
    return text;
  }
  return fail("message content must be a string or a list of text parts", "messages");
}

function optional<T extends "string" | "boolean" | "number">(
  b: Json,
  key: string,
  type: T,
): (T extends "string" ? string : T extends "boolean" ? boolean : number) | undefined {
  const value = b[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) fail(`${key} must be a ${type}`, key);
  return value as T extends "string" ? string : T extends "boolean" ? boolean : number;
}

function integer(b: Json, key: string, min?: number): number | undefined {
  const value = b[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) return fail(`${key} must be an integer`, key);
  if (min !== undefined && value < min) return fail(`${key} must be at least ${min}, got ${value}`, key);
  return value;
}
