// Owns what goes on the wire for one request: the endpoint URL and the JSON body.
// Pure. It knows the OpenAI request fields; it knows nothing about sockets or timing.

import { BenchError } from "../errors.js";
import { ENDPOINT_PATHS, type Endpoint, type RequestSpec } from "../workload/request-spec.js";

export interface BodyOptions {
  endpoint: Endpoint;
  model: string;
  /** Send `ignore_eos: true` even without an exact output length. */
  ignoreEos: boolean;
  /** With a target length: `max_tokens = min_tokens = target` and `ignore_eos: true`. */
  exactOutput: boolean;
  /** Merged last, so it can override any field (e.g. `temperature`). */
  extraBody?: Record<string, unknown>;
}

export interface ResolvedEndpoint {
  /** "http://host:port" */
  origin: string;
  /** "/v1/completions", "/prefix/v1/chat/completions", ... */
  path: string;
}

/** True for the routes that stream generated text as SSE (everything but embeddings). */
export function streamsText(endpoint: Endpoint): boolean {
  return endpoint !== "embeddings";
}

/**
 * Normalises a base URL that may or may not end in "/v1" or "/".
 *
 * @example
 * resolveEndpoint("http://h:8000/v1/", "chat") // { origin: "http://h:8000", path: "/v1/chat/completions" }
 */
export function resolveEndpoint(baseUrl: string, endpoint: Endpoint): ResolvedEndpoint {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (cause) {
    throw new BenchError("E_BAD_URL", `not a URL: ${baseUrl}`, { cause, where: "--url" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new BenchError("E_BAD_URL", `not an http(s) URL: ${baseUrl}`, { where: "--url" });
  }
  let prefix = url.pathname.replace(/\/+$/, "");
  if (!prefix.endsWith("/v1")) prefix += "/v1";
  const suffix = ENDPOINT_PATHS[endpoint];
  return { origin: url.origin, path: prefix + suffix };
}

/**
 * The JSON body. Streamed routes ask for usage (`stream_options.include_usage` for completions and
 * chat; the Responses API always ends with it); embeddings are one JSON answer with their usage.
 */
export function buildRequestBody(spec: RequestSpec, opts: BodyOptions): string {
  const body: Record<string, unknown> = { model: opts.model };
  const text = (): string => spec.prompt ?? (spec.messages ?? []).map((m) => m.content).join("\n");
  if (opts.endpoint === "embeddings") {
    body["input"] = text();
    body["encoding_format"] = "float";
    if (opts.extraBody !== undefined) Object.assign(body, opts.extraBody);
    return JSON.stringify(body);
  }
  const messages = (): unknown => spec.messages ?? [{ role: "user", content: spec.prompt ?? "" }];
  if (opts.endpoint === "chat") body["messages"] = messages();
  else if (opts.endpoint === "responses") body["input"] = spec.messages === undefined ? (spec.prompt ?? "") : messages();
  else body["prompt"] = text();
  const target = spec.targetOutputTokens;
  if (target !== undefined) body[opts.endpoint === "responses" ? "max_output_tokens" : "max_tokens"] = target;
  body["stream"] = true;
  if (opts.endpoint !== "responses") body["stream_options"] = { include_usage: true };
  body["temperature"] = 0;
  // vLLM takes its sampling extras on the Responses API too; a server that ignores them is caught by --strict.
  if (opts.exactOutput && target !== undefined) {
    body["min_tokens"] = target;
    body["ignore_eos"] = true;
  } else if (opts.ignoreEos) {
    body["ignore_eos"] = true;
  }
  if (opts.extraBody !== undefined) Object.assign(body, opts.extraBody);
  return JSON.stringify(body);
}
