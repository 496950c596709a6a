// Owns the llama.cpp server dialect: nlohmann ordered_json chunks (choices first), a role chunk
// with content null, a separate finish chunk carrying `timings`, usage always on completions,
// cached prompt tokens in usage and timings, 503 "Loading model" on every route but /models while
// loading, /props, /tokenize (which ignores `messages`), /apply-template, the connection closed
// after every stream, and llamacpp:* metrics (%g, no labels) whose generation counter lags.

import { MetricsBase, cNum, family } from "../prom-text.js";
import type { FinishedReason, ScrapeGauges } from "../prom-text.js";
import type { Endpoint, WireError } from "../vllm-wire.js";
import { json, randomAlnum, text } from "./dialect.js";
import type { Dialect, HttpReply, StreamIds, StreamWriter } from "./dialect.js";

export const LLAMACPP_BUILD = "b10587-servebench";
const ev = (v: unknown): string => `data: ${JSON.stringify(v)}\n\n`;
const nowS = (): number => Math.floor(Date.now() / 1000);
/** prompt_tokens counts the whole prompt; cached_tokens the part the prompt cache served. */
const usageOf = (p: number, c: number, cached: number) => ({
  completion_tokens: c,
  prompt_tokens: p,
  total_tokens: p + c,
  prompt_tokens_details: { cached_tokens: cached },
});

/** llama.cpp's per-request timings, from the request's own clock: prompt_n excludes cache_n. */
function timings(p: number, c: number, cached: number, promptMs: number, predictedMs: number): Record<string, number> {
  const evaluated = p - cached;
  return {
    cache_n: cached,
    prompt_n: evaluated,
    prompt_ms: promptMs,
    prompt_per_token_ms: promptMs / Math.max(1, evaluated),
    prompt_per_second: promptMs > 0 ? (evaluated * 1000) / promptMs : 0,
    predicted_n: c,
    predicted_ms: predictedMs,
    predicted_per_token_ms: predictedMs / Math.max(1, c),
    predicted_per_second: predictedMs > 0 ? (c * 1000) / predictedMs : 0,
  };
}

function stream(endpoint: Endpoint, ids: StreamIds, includeUsage: boolean): StreamWriter {
  const startMs = performance.now();
  let firstMs = startMs;
  let finish: string | null = null;
  const tail = { created: nowS(), id: ids.id, model: ids.model, system_fingerprint: ids.systemFingerprint };
  const chatChunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    ev({ choices, created: nowS(), id: ids.id, model: ids.model, system_fingerprint: ids.systemFingerprint, object: "chat.completion.chunk", ...extra });
  return {
    output(t, first, f, reasoning) {
      if (first) firstMs = performance.now();
      if (f !== null) finish = f;
      if (endpoint === "completions") {
        if (t === "") return "";
        return ev({
          choices: [{ text: t, index: 0, logprobs: null, finish_reason: null }],
          created: nowS(),
          model: ids.model,
          system_fingerprint: ids.systemFingerprint,
          object: "text_completion",
          id: ids.id,
        });
      }
      let out = first ? chatChunk([{ finish_reason: null, index: 0, delta: { role: "assistant", content: null } }]) : "";
      if (t !== "") out += chatChunk([{ finish_reason: null, index: 0, delta: reasoning === true ? { reasoning_content: t } : { content: t } }]);
      return out;
    },
    end(p, c, cached) {
      const endMs = performance.now();
      const t = timings(p, c, cached, Math.round((firstMs - startMs) * 1000) / 1000, Math.round((endMs - firstMs) * 1000) / 1000);
      if (endpoint === "completions") {
        return (
          ev({
            choices: [{ text: "", index: 0, logprobs: null, finish_reason: finish }],
            created: tail.created,
            model: ids.model,
            system_fingerprint: ids.systemFingerprint,
            object: "text_completion",
            usage: usageOf(p, c, cached),
            id: ids.id,
            timings: t,
          }) + "data: [DONE]\n\n"
        );
      }
      const fin = chatChunk([{ finish_reason: finish, index: 0, delta: {} }], includeUsage ? {} : { timings: t });
      const usage = includeUsage ? chatChunk([], { usage: usageOf(p, c, cached), timings: t }) : "";
      return `${fin}${usage}data: [DONE]\n\n`;
    },
    // After streaming began an error is one event and the stream ends without [DONE].
    error: (message) => ev({ error: { code: 500, message, type: "server_error" } }),
  };
}

function errorReply(e: WireError): HttpReply {
  if (e.kind === "context" || e.kind === "prompt-too-long") {
    const n = (e.promptTokens ?? 0) + (e.maxTokens ?? 0);
    return json(400, {
      error: {
        code: 400,
        message: `request (${n} tokens) exceeds the available context size (${e.maxModelLen} tokens), try increasing it`,
        type: "exceed_context_size_error",
        n_prompt_tokens: n,
        n_ctx: e.maxModelLen,
      },
    });
  }
  const type = e.kind === "unavailable" ? "unavailable_error" : e.status >= 500 ? "server_error" : "invalid_request_error";
  return json(e.status, { error: { code: e.status, message: e.kind === "unavailable" ? "Loading model" : e.message, type } });
}

export const llamacpp: Dialect = {
  name: "llamacpp",
  sseContentType: "text/event-stream",
  checksModel: false,
  closesAfterStream: true,
  usesPromptCache: (body) => (body as { cache_prompt?: unknown } | null)?.cache_prompt !== false,
  postPaths: ["/tokenize", "/apply-template"],
  post(path, body, view): HttpReply {
    const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    if (path === "/apply-template") {
      const messages = Array.isArray(b["messages"]) ? (b["messages"] as unknown[]) : undefined;
      if (messages === undefined) return json(400, { error: { code: 400, message: "'messages' is required", type: "invalid_request_error" } });
      const list = messages.map((m) => {
        const r = (typeof m === "object" && m !== null ? m : {}) as Record<string, unknown>;
        return { role: String(r["role"] ?? "user"), content: typeof r["content"] === "string" ? r["content"] : "" };
      });
      return json(200, { prompt: view.renderChat(list) });
    }
    // /tokenize reads `content` only: a body of `messages` is tokenized as an empty prompt.
    const content = typeof b["content"] === "string" ? b["content"] : "";
    return json(200, { tokens: content === "" ? [] : view.tokenize(content, b["add_special"] === true) });
  },
  ids: (_endpoint, model) => ({ id: `chatcmpl-${randomAlnum(32)}`, created: nowS(), model, systemFingerprint: LLAMACPP_BUILD }),
  stream,
  body(endpoint, ids, t, finish, p, c, cached) {
    const choice =
      endpoint === "chat"
        ? { finish_reason: finish, index: 0, message: { role: "assistant", content: t } }
        : { text: t, index: 0, logprobs: null, finish_reason: finish };
    return JSON.stringify({
      choices: [choice],
      created: ids.created,
      model: ids.model,
      system_fingerprint: ids.systemFingerprint,
      object: endpoint === "chat" ? "chat.completion" : "text_completion",
      usage: usageOf(p, c, cached),
      id: ids.id,
      timings: timings(p, c, cached, 0, 0),
    });
  },
  error: errorReply,
  route(path, view): HttpReply | undefined {
    switch (path) {
      case "/health":
        return json(200, { status: "ok" });
      case "/models":
      case "/v1/models":
        return json(200, {
          models: [
            {
              name: view.model,
              model: view.model,
              modified_at: "",
              size: "",
              digest: "",
              type: "model",
              description: "",
              tags: [""],
              capabilities: ["completion"],
              parameters: "",
              details: { parent_model: "", format: "gguf", family: "", families: [""], parameter_size: "", quantization_level: "" },
            },
          ],
          object: "list",
          data: [
            {
              id: view.model,
              aliases: [],
              tags: [],
              object: "model",
              created: view.createdS,
              owned_by: "llamacpp",
              meta: { vocab_type: 2, n_vocab: 151936, n_ctx: view.maxModelLen, n_ctx_train: view.maxModelLen, n_embd: 4096, n_params: 0, size: 0 },
            },
          ],
        });
      case "/metrics":
        return text(200, view.metrics.render(view.gauges()), "text/plain; version=0.0.4");
      case "/props":
        return json(200, {
          default_generation_settings: { id: 0, id_task: -1, n_ctx: view.maxModelLen, speculative: false, is_processing: false },
          total_slots: 1,
          model_alias: view.model,
          model_path: `${view.model}.gguf`,
          build_info: LLAMACPP_BUILD,
          is_sleeping: false,
        });
      default:
        return undefined;
    }
  },
  loading: (path) =>
    path === "/models" || path === "/v1/models" || path === "/api/tags"
      ? undefined
      : json(503, { error: { code: 503, message: "Loading model", type: "unavailable_error" } }),
  createMetrics: () => new LlamacppMetrics(),
};

/**
 * llama.cpp adds a request's prompt and generated tokens to its counters when the request ends
 * (a lagging counter: the per-second series is a sawtooth), and counts cached prompt tokens apart.
 */
class LlamacppMetrics extends MetricsBase {
  #promptEvaluated = 0;
  #promptCached = 0;
  #predicted = 0;

  override onFinished(reason: FinishedReason, e2eMs: number, promptTokens: number, generationTokens: number, cachedTokens = 0): void {
    super.onFinished(reason, e2eMs, promptTokens, generationTokens);
    this.#promptEvaluated += promptTokens - cachedTokens;
    this.#promptCached += cachedTokens;
    this.#predicted += generationTokens;
  }

  render(g: ScrapeGauges): string {
    const out: string[] = [];
    const one = (name: string, type: string, help: string, value: number): void => {
      family(out, name, type, help);
      out.push(`${name} ${cNum(value)}`);
    };
    one("llamacpp:prompt_tokens_total", "counter", "Number of prompt tokens processed, excluding cached tokens", this.#promptEvaluated);
    one("llamacpp:prompt_tokens_cached_total", "counter", "Number of prompt tokens reused from the cache", this.#promptCached);
    one("llamacpp:tokens_predicted_total", "counter", "Number of generation tokens processed", this.#predicted);
    one("llamacpp:requests_processing", "gauge", "Number of requests processing", g.running);
    one("llamacpp:requests_deferred", "gauge", "Number of requests deferred", g.waiting);
    return `${out.join("\n")}\n`;
  }
}
