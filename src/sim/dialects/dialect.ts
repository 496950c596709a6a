// Owns the one interface every simulated server dialect implements (vLLM V1/V0, SGLang, TGI,
// llama.cpp, vllm.rs): ids, SSE framing and events, bodies, error replies, routes, /metrics.
// Implementations are pure string builders; dialect-contract.test.ts runs one suite over all.

import type { MetricsBase, ScrapeGauges } from "../prom-text.js";
import type { Endpoint, WireError } from "../vllm-wire.js";

export type DialectName = "vllm" | "vllm-v0" | "sglang" | "tgi" | "llamacpp" | "vllm-rs";
export const DIALECT_NAMES: readonly DialectName[] = ["vllm", "vllm-v0", "sglang", "tgi", "llamacpp", "vllm-rs"];

/** Why generation ended: the model's EOS token, or max_tokens. */
export type Finish = "stop" | "length";

export interface StreamIds {
  id: string;
  /** Unix seconds (vllm.rs: milliseconds) of the request. */
  created: number;
  model: string;
  systemFingerprint: string;
}

export interface StreamWriter {
  /**
   * Event(s) for one engine output. `text` is its tokens' text (an EOS token has none), `first`
   * marks the request's first output, `finish` is set on its last.
   */
  output(text: string, first: boolean, finish: Finish | null, reasoning?: boolean): string;
  /** After the last output: a usage event where this server sends one, then the end marker. */
  /** `cachedTokens`: prompt tokens served from the prefix cache, for servers that report them. */
  end(promptTokens: number, completionTokens: number, cachedTokens: number, reasoningTokens?: number): string;
  /** A server error after streaming began, written as this server writes it; the stream ends with it. */
  error(message: string): string;
}

export interface HttpReply {
  status: number;
  body: string;
  contentType?: string;
}

/** What routes may show: engine gauges and the metrics recorder. */
export interface ServerView {
  model: string;
  maxModelLen: number;
  /** The prompt's token ids as the server tokenizes text, special-token text parsed, BOS when `addSpecial`. */
  tokenize(text: string, addSpecial: boolean): number[];
  /** The model's chat template applied to `messages`, with the generation prompt. */
  renderChat(messages: ReadonlyArray<{ role: string; content: string }>): string;
  createdS: number;
  ready: boolean;
  gauges(): ScrapeGauges;
  metrics: MetricsBase;
}

export interface Dialect {
  readonly name: DialectName;
  /** Fresh ids for a response (id formats differ: chatcmpl-…, 32 hex, "", seq-N). */
  ids(endpoint: Endpoint, model: string, seq: number, fingerprint: string): StreamIds;
  /** SSE content type this server sends. */
  readonly sseContentType: string;
  stream(endpoint: Endpoint, ids: StreamIds, includeUsage: boolean): StreamWriter;
  body(endpoint: Endpoint, ids: StreamIds, text: string, finish: Finish, promptTokens: number, completionTokens: number, cachedTokens: number): string;
  /** The reply to a refused request (validation, unknown model, injected 500/503/429). */
  error(e: WireError): HttpReply;
  /** GET routes besides the completion endpoints; undefined = 404. */
  route(path: string, view: ServerView): HttpReply | undefined;
  /** POST routes besides the completion endpoints (llama.cpp /tokenize, /apply-template), answered by `post`. */
  readonly postPaths?: readonly string[];
  post?(path: string, body: unknown, view: ServerView): HttpReply | undefined;
  /**
   * The server closes the connection after every streamed response although it advertised
   * Keep-Alive (llama.cpp's cpp-httplib does): a client reusing the socket races the close.
   */
  readonly closesAfterStream?: boolean;
  /** False when the request body turns this server's prompt cache off (llama.cpp `cache_prompt: false`). */
  usesPromptCache?(body: unknown): boolean;
  /** While the model loads: the reply for this path, or undefined to serve it normally. */
  loading(path: string): HttpReply | undefined;
  /** Routes this server has beyond /v1/completions and /v1/chat/completions (vLLM: embeddings, responses); others answer 404. */
  readonly extraEndpoints?: readonly Endpoint[];
  /** False when this server validates `model` loosely and serves any name (TGI, llama.cpp, SGLang). */
  readonly checksModel: boolean;
  createMetrics(model: string, maxModelLen: number): MetricsBase;
}

export const json = (status: number, body: unknown): HttpReply => ({
  status,
  body: typeof body === "string" ? body : JSON.stringify(body),
  contentType: "application/json",
});

export const text = (status: number, body: string, contentType = "text/plain; charset=utf-8"): HttpReply => ({ status, body, contentType });

/** Random [a-zA-Z0-9] string, as llama.cpp's ids use. */
export function randomAlnum(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

export function randomHex(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += Math.floor(Math.random() * 16).toString(16);
  return out;
}
