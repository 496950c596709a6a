// Owns what goes on the wire for one request: the endpoint URL and the JSON body.
// Pure. It knows the OpenAI request fields; it knows nothing about sockets or timing.

import { BenchError } from "../errors.js";
import type { Endpoint, RequestSpec } from "../workload/request-spec.js";

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
  const suffix = endpoint === "chat" ? "/chat/completions" : "/completions";
  return { origin: url.origin, path: prefix + suffix };
}

/** The JSON body; `stream_options.include_usage` asks every dialect for a usage chunk. */
export function buildRequestBody(spec: RequestSpec, opts: BodyOptions): string {
  const body: Record<string, unknown> = { model: opts.model };
  if (opts.endpoint === "chat") {
    body["messages"] = spec.messages ?? [{ role: "user", content: spec.prompt ?? "" }];
  } else {
    body["prompt"] = spec.prompt ?? (spec.messages ?? []).map((m) => m.content).join("\n");
  }
  const target = spec.targetOutputTokens;
  if (target !== undefined) body["max_tokens"] = target;
  body["stream"] = true;
  body["stream_options"] = { include_usage: true };
  body["temperature"] = 0;
  if (opts.exactOutput && target !== undefined) {
    body["min_tokens"] = target;
    body["ignore_eos"] = true;
  } else if (opts.ignoreEos) {
    body["ignore_eos"] = true;
  }
  if (opts.extraBody !== undefined) Object.assign(body, opts.extraBody);
  return JSON.stringify(body);
}
