// Owns the simulator's /metrics: counters and histograms fed from real request events, rendered in
// vLLM V1 Prometheus text (names, labels engine/model_name, buckets, HELP/TYPE as in
// /work/shared/fixtures/vllm-v1.metrics.txt). Gauges are read from the engine at scrape time.

import { Histogram, MetricsBase, escapeLabel, histogramLines, pyNum as num } from "./prom-text.js";
import type { FinishedReason, ScrapeGauges } from "./prom-text.js";

export type { FinishedReason, ScrapeGauges } from "./prom-text.js";

const TTFT_BUCKETS_S = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];
const ITL_BUCKETS_S = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
const REQUEST_LATENCY_BUCKETS_S = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0,
];

/** vLLM's build_1_2_5_buckets: 1, 2, 5, 10, 20, 50, … up to maxValue. */
export function oneTwoFiveBuckets(maxValue: number): number[] {
  const buckets: number[] = [];
  for (let exponent = 1; ; exponent *= 10) {
    for (const mantissa of [1, 2, 5]) {
      const value = mantissa * exponent;
      if (value > maxValue) return buckets;
      buckets.push(value);
    }
  }
}

export class SimMetrics extends MetricsBase {
  readonly #ttft = new Histogram(TTFT_BUCKETS_S);
  readonly #itl = new Histogram(ITL_BUCKETS_S);
  readonly #e2e = new Histogram(REQUEST_LATENCY_BUCKETS_S);
  readonly #queue = new Histogram(REQUEST_LATENCY_BUCKETS_S);
  readonly #promptHist: Histogram;
  readonly #generationHist: Histogram;
  readonly #labels: string;

  constructor(
    readonly model: string,
    maxModelLen: number,
  ) {
    super();
    this.#labels = `engine="0",model_name="${escapeLabel(model)}"`;
    this.#promptHist = new Histogram(oneTwoFiveBuckets(maxModelLen));
    this.#generationHist = new Histogram(oneTwoFiveBuckets(maxModelLen));
  }

  protected override observeQueue(s: number): void {
    this.#queue.observe(s);
  }
  protected override observeTtft(s: number): void {
    this.#ttft.observe(s);
  }
  protected override observeItl(s: number): void {
    this.#itl.observe(s);
  }
  protected override observeFinished(e2eS: number, promptTokens: number, generationTokens: number): void {
    this.#e2e.observe(e2eS);
    this.#promptHist.observe(promptTokens);
    this.#generationHist.observe(generationTokens);
  }

  override render(gauges: ScrapeGauges): string {
    const out: string[] = [];
    const one = (name: string, type: "gauge" | "counter", help: string, value: number): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}{${this.#labels}} ${num(value)}`);
    };
    one("vllm:num_requests_running", "gauge", "Number of requests in model execution batches.", gauges.running);
    one("vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.", gauges.waiting);
    one("vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.", gauges.kvCacheUsage);
    one("vllm:prefix_cache_queries_total", "counter", "Prefix cache queries, in terms of number of queried tokens.", gauges.prefixCacheQueries ?? 0);
    one("vllm:prefix_cache_hits_total", "counter", "Prefix cache hits, in terms of number of cached tokens.", gauges.prefixCacheHits ?? 0);
    one("vllm:num_preemptions_total", "counter", "Cumulative number of preemption from the engine.", gauges.preemptions ?? 0);
    one("vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.", this.promptTokens);
    one("vllm:generation_tokens_total", "counter", "Number of generation tokens processed.", this.generationTokens);
    out.push("# HELP vllm:request_success_total Count of successfully processed requests.", "# TYPE vllm:request_success_total counter");
    const reasons: [string, number][] = [
      ["stop", this.finished.stop],
      ["length", this.finished.length],
      ["abort", this.finished.abort],
      ["error", 0],
      ["repetition", 0],
    ];
    for (const [reason, value] of reasons) {
      out.push(`vllm:request_success_total{engine="0",finished_reason="${reason}",${this.#labels.slice('engine="0",'.length)}} ${num(value)}`);
    }
    this.#histogram(out, "vllm:request_prompt_tokens", "Number of prefill tokens processed.", this.#promptHist);
    this.#histogram(out, "vllm:request_generation_tokens", "Number of generation tokens processed.", this.#generationHist);
    this.#histogram(out, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", this.#ttft);
    this.#histogram(out, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", this.#itl);
    this.#histogram(out, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", this.#e2e);
    this.#histogram(out, "vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", this.#queue);
    return `${out.join("\n")}\n`;
  }

  #histogram(out: string[], name: string, help: string, h: Histogram): void {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    const modelLabel = this.#labels.slice('engine="0",'.length);
    histogramLines(out, name, h, (le) => `{engine="0",le="${le}",${modelLabel}}`, `{${this.#labels}}`, num);
  }
}
