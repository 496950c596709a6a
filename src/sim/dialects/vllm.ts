// Owns the vLLM dialects: V1 (current main: vllm-wire.ts events, V1 /metrics) and V0 (same wire,
// the ≤ 0.10 metric names users' reports still use: num_requests_swapped, gpu/cpu_cache_usage_perc).

import { randomBytes } from "node:crypto";
import { Histogram, MetricsBase, escapeLabel, family, histogramLines, pyNum } from "../prom-text.js";
import type { ScrapeGauges } from "../prom-text.js";
import { SimMetrics } from "../sim-metrics.js";
import { DONE_EVENT, SIM_VERSION, completionBody, errorBody, modelsBody, streamEncoder, unavailable } from "../vllm-wire.js";
import type { Dialect, DialectName, HttpReply, StreamWriter } from "./dialect.js";
import type { Endpoint } from "../vllm-wire.js";
import { embeddingsBody, responsesWriter } from "../responses-wire.js";
import { json, text } from "./dialect.js";

const ID_PREFIX: Record<Endpoint, string> = { completions: "cmpl-", chat: "chatcmpl-", responses: "resp_", embeddings: "embd-" };

function vllmDialect(name: DialectName, createMetrics: (model: string, maxModelLen: number) => MetricsBase): Dialect {
  return {
    name,
    sseContentType: "text/event-stream; charset=utf-8",
    checksModel: true,
    extraEndpoints: ["embeddings", "responses"],
    ids: (endpoint, model, _seq, fingerprint) => ({
      id: `${ID_PREFIX[endpoint]}${randomBytes(16).toString("hex")}`,
      created: Math.floor(Date.now() / 1000),
      model,
      systemFingerprint: fingerprint,
    }),
    stream(endpoint, ids, includeUsage): StreamWriter {
      if (endpoint === "responses") return responsesWriter(ids);
      const enc = streamEncoder(endpoint, ids);
      return {
        // The chat role chunk goes out with the first token (both come from the first engine output).
        output: (t, first, finish, reasoning) =>
          (first ? enc.preamble() : "") +
          (reasoning === true && endpoint === "chat" && finish === null ? enc.reasoning(t) : enc.token(t, finish, finish !== null && !includeUsage)),
        end: (p, c, _cached, reasoning) => (includeUsage ? enc.usage(p, c, reasoning) : "") + DONE_EVENT,
        // Python json.dumps (", " and ": " separators), then [DONE], as the fixture shows.
        error: (message) =>
          `data: {"error": {"message": ${JSON.stringify(message)}, "type": "InternalServerError", "param": null, "code": 500}}\n\n${DONE_EVENT}`,
      };
    },
    body: (endpoint, ids, text, finish, promptTokens, completionTokens) =>
      endpoint === "embeddings" ? embeddingsBody(ids, promptTokens) : completionBody(endpoint, ids, text, finish, promptTokens, completionTokens),
    error: (e) => json(e.status, errorBody(e)),
    route(path, view): HttpReply | undefined {
      switch (path) {
        case "/health":
          return view.ready ? { status: 200, body: "" } : { status: 503, body: "" };
        case "/version":
          return json(200, { version: SIM_VERSION });
        case "/v1/models":
          return json(200, modelsBody(view.model, view.maxModelLen, view.createdS, `modelperm-${randomBytes(16).toString("hex")}`));
        case "/metrics":
          return text(200, view.metrics.render(view.gauges()), "text/plain; version=0.0.4; charset=utf-8");
        default:
          return undefined;
      }
    },
    loading: (path) =>
      path === "/health"
        ? { status: 503, body: "" }
        : path.startsWith("/v1/") && (path.includes("completions") || path === "/v1/responses" || path === "/v1/embeddings")
          ? json(503, errorBody(unavailable("The model is still loading")))
          : undefined,
    createMetrics,
  };
}

export const vllmV1 = vllmDialect("vllm", (model, maxModelLen) => new SimMetrics(model, maxModelLen));
export const vllmV0 = vllmDialect("vllm-v0", (model) => new VllmV0Metrics(model));

const TTFT_S = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
const TPOT_S = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
const E2E_S = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0];

/** vLLM V0 (≤ 0.10) names, HELP texts, label `model_name` only, sum-buckets-count order (vllm-v0.metrics.txt). */
class VllmV0Metrics extends MetricsBase {
  readonly #labels: string;
  readonly #ttft = new Histogram(TTFT_S);
  readonly #tpot = new Histogram(TPOT_S);
  readonly #e2e = new Histogram(E2E_S);
  readonly #queue = new Histogram(E2E_S);

  constructor(model: string) {
    super();
    this.#labels = `model_name="${escapeLabel(model)}"`;
  }
  protected override observeQueue(s: number): void {
    this.#queue.observe(s);
  }
  protected override observeTtft(s: number): void {
    this.#ttft.observe(s);
  }
  protected override observeItl(s: number): void {
    this.#tpot.observe(s);
  }
  protected override observeFinished(e2eS: number): void {
    this.#e2e.observe(e2eS);
  }

  render(g: ScrapeGauges): string {
    const out: string[] = [];
    const l = `{${this.#labels}}`;
    const one = (name: string, type: string, help: string, value: number): void => {
      family(out, name, type, help);
      out.push(`${name}${l} ${pyNum(value)}`);
    };
    one("vllm:num_requests_running", "gauge", "Number of requests currently running on GPU.", g.running);
    one("vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.", g.waiting);
    one("vllm:num_requests_swapped", "gauge", "Number of requests swapped to CPU.", 0);
    one("vllm:gpu_cache_usage_perc", "gauge", "GPU KV-cache usage. 1 means 100 percent usage.", g.kvCacheUsage);
    one("vllm:cpu_cache_usage_perc", "gauge", "CPU KV-cache usage. 1 means 100 percent usage.", 0);
    const queries = g.prefixCacheQueries ?? 0;
    one("vllm:gpu_prefix_cache_hit_rate", "gauge", "GPU prefix cache block hit rate.", queries > 0 ? (g.prefixCacheHits ?? 0) / queries : -1);
    family(out, "vllm:request_success_total", "counter", "Count of successfully processed requests.");
    for (const reason of ["stop", "length"] as const)
      out.push(`vllm:request_success_total{finished_reason="${reason}",${this.#labels}} ${pyNum(this.finished[reason])}`);
    one("vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.", this.promptTokens);
    one("vllm:generation_tokens_total", "counter", "Number of generation tokens processed.", this.generationTokens);
    one("vllm:num_preemptions_total", "counter", "Cumulative number of preemption from the engine.", g.preemptions ?? 0);
    const hist = (name: string, help: string, h: Histogram): void => {
      family(out, name, "histogram", help);
      histogramLines(out, name, h, (le) => `{le="${le}",${this.#labels}}`, l, pyNum, "sum-buckets-count");
    };
    hist("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", this.#ttft);
    hist("vllm:e2e_request_latency_seconds", "Histogram of end to end request latency in seconds.", this.#e2e);
    hist("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", this.#queue);
    hist("vllm:time_per_output_token_seconds", "Histogram of time per output token in seconds.", this.#tpot);
    return `${out.join("\n")}\n`;
  }
}
