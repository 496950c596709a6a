// Owns the Text Generation Inference dialect: axum framing (`data:` without a space), id "",
// delta.role on every chat chunk, `eos_token` finishes on completions, errors as
// {"error": "…", "error_type": …}, /info, and tgi_* metrics (Rust exporter: no labels, no _total).

import { Histogram, MetricsBase, family, histogramLines } from "../prom-text.js";
import type { ScrapeGauges } from "../prom-text.js";
import type { Endpoint, WireError } from "../vllm-wire.js";
import { json, text } from "./dialect.js";
import type { Dialect, Finish, HttpReply, StreamIds, StreamWriter } from "./dialect.js";

export const TGI_VERSION = "3.3.6";
const ev = (v: unknown): string => `data:${JSON.stringify(v)}\n\n`;
const nowS = (): number => Math.floor(Date.now() / 1000);
const usageOf = (p: number, c: number) => ({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c });
const completionFinish = (f: Finish): string => (f === "stop" ? "eos_token" : "length");

function stream(endpoint: Endpoint, ids: StreamIds, includeUsage: boolean): StreamWriter {
  const fp = ids.systemFingerprint;
  let pendingFinal: Record<string, unknown> = {};
  return {
    output(t, _first, finish) {
      if (endpoint === "chat") {
        return ev({
          object: "chat.completion.chunk",
          id: "",
          created: nowS(),
          model: ids.model,
          system_fingerprint: fp,
          choices: [{ index: 0, delta: { role: "assistant", content: t }, logprobs: null, finish_reason: finish }],
          usage: null,
        });
      }
      if (finish === null) {
        return ev({
          object: "text_completion",
          id: "",
          created: nowS(),
          choices: [{ index: 0, text: t, logprobs: null, finish_reason: "" }],
          model: ids.model,
          system_fingerprint: fp,
        });
      }
      // The final completions event is a different struct (CompletionFinal): other key order, usage included.
      pendingFinal = {
        object: "text_completion",
        id: "",
        created: nowS(),
        model: ids.model,
        system_fingerprint: fp,
        choices: [{ index: 0, text: t, logprobs: null, finish_reason: completionFinish(finish) }],
      };
      return "";
    },
    end(p, c) {
      if (endpoint === "completions") return ev({ ...pendingFinal, usage: usageOf(p, c) }) + "data:[DONE]\n\n";
      const usage = includeUsage
        ? ev({ object: "chat.completion.chunk", id: "", created: nowS(), model: ids.model, system_fingerprint: fp, choices: [], usage: usageOf(p, c) })
        : "";
      return `${usage}data:[DONE]\n\n`;
    },
    // TGI reports every in-stream error with http_status_code 422 and an HTTP 200 status.
    error: (message) => `${ev({ error: { message, http_status_code: 422 } })}data:[DONE]\n\n`,
  };
}

function errorReply(e: WireError): HttpReply {
  switch (e.kind) {
    case "context":
    case "prompt-too-long":
      return json(422, {
        error: `Input validation error: \`inputs\` tokens + \`max_new_tokens\` must be <= ${e.maxModelLen}. Given: ${e.promptTokens} \`inputs\` tokens and ${e.maxTokens} \`max_new_tokens\``,
        error_type: "validation",
      });
    case "overloaded":
      return json(429, { error: "Model is overloaded", error_type: "overloaded" });
    case "unavailable":
      return json(503, { error: "unhealthy", error_type: "healthcheck" });
    case "bad-request":
      return json(422, { error: `Input validation error: ${e.message}`, error_type: "validation" });
    default:
      return json(e.status, { error: e.message, error_type: e.status >= 500 ? "generation" : "validation" });
  }
}

export const tgi: Dialect = {
  name: "tgi",
  sseContentType: "text/event-stream",
  checksModel: false,
  ids: (_endpoint, model) => ({ id: "", created: nowS(), model, systemFingerprint: `${TGI_VERSION}-native` }),
  stream,
  body(endpoint, ids, t, finish, p, c) {
    const head = {
      object: endpoint === "chat" ? "chat.completion" : "text_completion",
      id: "",
      created: ids.created,
      model: ids.model,
      system_fingerprint: ids.systemFingerprint,
    };
    const choice =
      endpoint === "chat"
        ? { index: 0, message: { role: "assistant", content: t }, logprobs: null, finish_reason: finish }
        : { index: 0, text: t, logprobs: null, finish_reason: completionFinish(finish) };
    return JSON.stringify({ ...head, choices: [choice], usage: usageOf(p, c) });
  },
  error: errorReply,
  route(path, view): HttpReply | undefined {
    switch (path) {
      case "/health":
        return view.ready ? { status: 200, body: "" } : json(503, { error: "unhealthy", error_type: "healthcheck" });
      case "/info":
        return json(200, {
          model_id: view.model,
          model_sha: null,
          model_pipeline_tag: "text-generation",
          max_concurrent_requests: 128,
          max_best_of: 2,
          max_stop_sequences: 4,
          max_input_tokens: view.maxModelLen - 1,
          max_total_tokens: view.maxModelLen,
          validation_workers: 2,
          max_client_batch_size: 4,
          router: "text-generation-router",
          version: TGI_VERSION,
          sha: null,
          docker_label: null,
        });
      case "/v1/models":
        return json(200, { object: "list", data: [{ id: view.model, object: "model", created: 0, owned_by: view.model }] });
      case "/metrics":
        return text(200, view.metrics.render(view.gauges()), "text/plain; charset=utf-8");
      default:
        return undefined;
    }
  },
  loading: (path) => (path === "/health" ? json(503, { error: "unhealthy", error_type: "healthcheck" }) : undefined),
  createMetrics: (_model, maxModelLen) => new TgiMetrics(maxModelLen),
};

const linear = (max: number): number[] => Array.from({ length: 100 }, (_, k) => (max / 100) * (k + 1));
const DURATION_S = ((): number[] => {
  const out: number[] = [];
  for (let b = 0.0001 * 1.5; out.length < 35; b *= 1.5) out.push(b);
  return out;
})();

/** metrics-exporter-prometheus: integer counters without _total, shortest float repr, buckets then _sum, _count. */
class TgiMetrics extends MetricsBase {
  readonly #duration = new Histogram(DURATION_S);
  readonly #input: Histogram;
  readonly #generated: Histogram;

  constructor(maxModelLen: number) {
    super();
    this.#input = new Histogram(linear(maxModelLen - 1));
    this.#generated = new Histogram(linear(maxModelLen));
  }
  protected override observeFinished(e2eS: number, promptTokens: number, generationTokens: number): void {
    this.#duration.observe(e2eS);
    this.#input.observe(promptTokens);
    this.#generated.observe(generationTokens);
  }

  render(g: ScrapeGauges): string {
    const out: string[] = [];
    const num = (v: number): string => String(v);
    const one = (name: string, type: string, help: string, value: number): void => {
      family(out, name, type, help);
      out.push(`${name} ${num(value)}`);
    };
    one("tgi_request_count", "counter", "Total number of requests", this.requests + g.running + g.waiting);
    one("tgi_request_success", "counter", "Number of successful requests", this.finished.stop + this.finished.length);
    one("tgi_batch_current_size", "gauge", "Current batch size", g.running);
    one("tgi_queue_size", "gauge", "Current queue size", g.waiting);
    const hist = (name: string, help: string, h: Histogram): void => {
      family(out, name, "histogram", help);
      histogramLines(out, name, h, (le) => `{le="${le}"}`, "", num, "buckets-sum-count");
    };
    hist("tgi_request_duration", "Total time spent processing the request", this.#duration);
    hist("tgi_request_generated_tokens", "Generated tokens per request", this.#generated);
    hist("tgi_request_input_length", "Input token length per request", this.#input);
    return `${out.join("\n")}\n`;
  }
}
