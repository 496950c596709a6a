// Owns the SGLang dialect: full model_dump_json() chunks (every null kept), a separate chat finish
// chunk with matched_stop, its error bodies and /v1/models, and sglang:* metrics (multiprocess
// layout: _sum, _count, then buckets; gauges carry tp_rank/pp_rank) as in the shared fixtures.

import { Histogram, MetricsBase, escapeLabel, family, histogramLines, pyNum } from "../prom-text.js";
import type { ScrapeGauges } from "../prom-text.js";
import type { Endpoint, WireError } from "../vllm-wire.js";
import { json, randomHex, text } from "./dialect.js";
import type { Dialect, Finish, HttpReply, StreamIds, StreamWriter } from "./dialect.js";

/** The EOS id SGLang reports in matched_stop (Qwen's <|im_end|>; the fixtures' model). */
const EOS_TOKEN_ID = 151645;
const ev = (v: unknown): string => `data: ${JSON.stringify(v)}\n\n`;
const usageOf = (p: number, c: number, reasoning = 0) => ({
  prompt_tokens: p,
  total_tokens: p + c,
  completion_tokens: c,
  prompt_tokens_details: null,
  reasoning_tokens: reasoning,
});
/** The SGLang release the dialect follows (its /get_server_info `version`). */
export const SGLANG_VERSION = "0.5.4-servebench";
const matched = (finish: Finish | null): number | null => (finish === "stop" ? EOS_TOKEN_ID : null);
const nowS = (): number => Math.floor(Date.now() / 1000);

function stream(endpoint: Endpoint, ids: StreamIds, includeUsage: boolean): StreamWriter {
  const head = (object: string) => ({ id: ids.id, object, created: nowS(), model: ids.model });
  const chat = (delta: Record<string, unknown>, finish: Finish | null): string =>
    ev({
      ...head("chat.completion.chunk"),
      choices: [
        {
          index: 0,
          delta: { role: null, content: null, reasoning_content: null, tool_calls: null, ...delta },
          logprobs: null,
          finish_reason: finish,
          matched_stop: matched(finish),
        },
      ],
      usage: null,
    });
  return {
    output(t, first, finish, reasoning) {
      if (endpoint === "completions") {
        return ev({
          ...head("text_completion"),
          choices: [{ index: 0, text: t, logprobs: null, finish_reason: finish, matched_stop: matched(finish) }],
          usage: null,
        });
      }
      let out = first ? chat({ role: "assistant", content: "" }, null) : "";
      if (t !== "") out += chat(reasoning === true ? { reasoning_content: t } : { content: t }, null);
      if (finish !== null) out += chat({}, finish);
      return out;
    },
    end: (p, c, _cached, reasoning) =>
      (includeUsage ? ev({ ...head(endpoint === "chat" ? "chat.completion.chunk" : "text_completion"), choices: [], usage: usageOf(p, c, reasoning) }) : "") +
      "data: [DONE]\n\n",
    error: (message) =>
      `data: {"error": {"object": "error", "message": ${JSON.stringify(message)}, "type": "InternalServerError", "param": null, "code": 500}}\n\ndata: [DONE]\n\n`,
  };
}

function errorReply(e: WireError): HttpReply {
  let message = e.message;
  if (e.kind === "context" || e.kind === "prompt-too-long") {
    const total = (e.promptTokens ?? 0) + (e.maxTokens ?? 0);
    message =
      `Requested token count exceeds the model's maximum context length of ${e.maxModelLen} tokens. You requested a total of ${total} tokens: ` +
      `${e.promptTokens} tokens from the input messages and ${e.maxTokens} tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.`;
  }
  // SGLang names no parameter for length errors (vLLM says input_tokens).
  const param = e.kind === "context" || e.kind === "prompt-too-long" ? null : e.param;
  return json(e.status, { error: { object: "error", message, type: e.type, param, code: e.status } });
}

export const sglang: Dialect = {
  name: "sglang",
  sseContentType: "text/event-stream; charset=utf-8",
  checksModel: false,
  ids: (_endpoint, model, _seq, fingerprint) => ({ id: randomHex(32), created: nowS(), model, systemFingerprint: fingerprint }),
  stream,
  body(endpoint, ids, t, finish, p, c) {
    const head = { id: ids.id, object: endpoint === "chat" ? "chat.completion" : "text_completion", created: ids.created, model: ids.model };
    const choice =
      endpoint === "chat"
        ? {
            index: 0,
            message: { role: "assistant", content: t, reasoning_content: null, tool_calls: null },
            logprobs: null,
            finish_reason: finish,
            matched_stop: matched(finish),
          }
        : { index: 0, text: t, logprobs: null, finish_reason: finish, matched_stop: matched(finish) };
    return JSON.stringify({ ...head, choices: [choice], usage: usageOf(p, c), metadata: null });
  },
  error: errorReply,
  route(path, view): HttpReply | undefined {
    switch (path) {
      case "/health":
      case "/health_generate":
        return view.ready ? { status: 200, body: "" } : { status: 503, body: "" };
      case "/v1/models":
        return json(200, {
          object: "list",
          data: [
            { id: view.model, object: "model", created: view.createdS, owned_by: "sglang", root: view.model, parent: null, max_model_len: view.maxModelLen },
          ],
        });
      case "/metrics":
        return text(200, view.metrics.render(view.gauges()), "text/plain; version=0.0.4; charset=utf-8");
      case "/get_server_info":
        // The server args and the runtime's version, as SGLang's native API answers (abridged).
        return json(200, { model_path: view.model, context_length: view.maxModelLen, version: SGLANG_VERSION });
      default:
        return undefined;
    }
  },
  loading: (path) => (path === "/health" || path === "/health_generate" ? { status: 503, body: "" } : undefined),
  createMetrics: (model) => new SglangMetrics(model),
};

const TTFT_S = [0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0, 20.0, 40.0, 60.0, 80.0, 100.0, 200.0, 400.0];
const ITL_S = [0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 2.0, 4.0, 6.0, 8.0];
const E2E_S = [...TTFT_S, 600.0, 1200.0, 1800.0, 2400.0];

class SglangMetrics extends MetricsBase {
  readonly #base: string;
  readonly #ttft = new Histogram(TTFT_S);
  readonly #itl = new Histogram(ITL_S);
  readonly #e2e = new Histogram(E2E_S);

  constructor(model: string) {
    super();
    this.#base = `engine_type="unified",model_name="${escapeLabel(model)}"`;
  }
  protected override observeTtft(s: number): void {
    this.#ttft.observe(s);
  }
  protected override observeItl(s: number): void {
    this.#itl.observe(s);
  }
  protected override observeFinished(e2eS: number): void {
    this.#e2e.observe(e2eS);
  }

  render(g: ScrapeGauges): string {
    const out: string[] = [];
    const l = `{${this.#base}}`;
    const hist = (name: string, help: string, h: Histogram): void => {
      family(out, name, "histogram", help);
      histogramLines(
        out,
        name,
        h,
        (le) => `{engine_type="unified",le="${le}",${this.#base.slice('engine_type="unified",'.length)}}`,
        l,
        pyNum,
        "sum-count-buckets",
      );
    };
    hist("sglang:time_to_first_token_seconds", "Histogram of time to first token in seconds.", this.#ttft);
    hist("sglang:e2e_request_latency_seconds", "Histogram of End-to-end request latency in seconds", this.#e2e);
    hist("sglang:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", this.#itl);
    const gauge = (name: string, help: string, value: number): void => {
      family(out, name, "gauge", help);
      out.push(`${name}{${this.#base},pp_rank="0",tp_rank="0"} ${pyNum(value)}`);
    };
    const queries = g.prefixCacheQueries ?? 0;
    gauge("sglang:num_running_reqs", "The number of running requests.", g.running);
    gauge("sglang:num_queue_reqs", "The number of requests in the waiting queue.", g.waiting);
    gauge("sglang:cache_hit_rate", "The prefix cache hit rate.", queries > 0 ? Math.round(((g.prefixCacheHits ?? 0) / queries) * 10_000) / 10_000 : 0);
    gauge("sglang:token_usage", "The token usage.", Math.round(g.kvCacheUsage * 100) / 100);
    gauge("sglang:num_used_tokens", "The number of used tokens.", g.kvUsedTokens ?? 0);
    const counter = (name: string, help: string, labels: string, value: number): void => {
      family(out, name, "counter", help);
      out.push(`${name}{${labels}} ${pyNum(value)}`);
    };
    counter("sglang:num_retracted_requests_total", "Total number of retracted requests.", `${this.#base},pp_rank="0",tp_rank="0"`, g.preemptions ?? 0);
    counter("sglang:num_requests_total", "Number of requests processed.", this.#base, this.requests);
    counter("sglang:prompt_tokens_total", "Number of prefill tokens processed.", this.#base, this.promptTokens);
    counter("sglang:generation_tokens_total", "Number of generation tokens processed.", this.#base, this.generationTokens);
    counter(
      "sglang:cached_tokens_total",
      "Number of cached prompt tokens by source (device/host/storage).",
      `cache_source="device",${this.#base}`,
      g.prefixCacheHits ?? 0,
    );
    return `${out.join("\n")}\n`;
  }
}
