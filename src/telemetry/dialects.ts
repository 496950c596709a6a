// Owns the name tables that map each engine's /metrics families onto servebench's canonical set.
// Data only: the first listed name present wins, so newer names go first and old aliases follow.
// vllm.rs serves no Prometheus /metrics (only JSON /v1/usage), so it has no table here.

export type Dialect = "vllm-v1" | "vllm-v0" | "sglang" | "tgi" | "llamacpp" | "unknown";

/** Canonical scalar fields. Counts and counters sum across label sets; usage ratios take the max. */
export interface ScalarSpec {
  /** Candidate sample names, exactly as exposed (with `_total` / `_sum` suffix). */
  names: readonly string[];
  agg: "sum" | "max";
}

export interface DialectTable {
  running?: ScalarSpec;
  waiting?: ScalarSpec;
  swapped?: ScalarSpec;
  preemptionsTotal?: ScalarSpec;
  kvUsageGpu?: ScalarSpec;
  kvUsageCpu?: ScalarSpec;
  prefixQueriesTotal?: ScalarSpec;
  prefixHitsTotal?: ScalarSpec;
  promptTokensTotal?: ScalarSpec;
  /**
   * Prompt tokens served from the prefix cache, where the engine counts them apart from
   * `promptTokensTotal` (llama.cpp): the canonical prompt total is then the sum of both, and
   * they are the prefix cache's hits out of that total.
   */
  promptCachedTotal?: ScalarSpec;
  generationTokensTotal?: ScalarSpec;
  /**
   * Token counters grow only when a request ends (TGI's histograms, llama.cpp's counters): a
   * per-second series is a sawtooth, so a level is cross-checked on totals over the bracket.
   */
  countersLag?: boolean;
  specDraftsTotal?: ScalarSpec;
  specDraftTokensTotal?: ScalarSpec;
  specAcceptedTokensTotal?: ScalarSpec;
  /** Histogram family base names (samples are `<base>_bucket`, `_sum`, `_count`), in seconds. */
  ttftHist?: readonly string[];
  itlHist?: readonly string[];
  e2eHist?: readonly string[];
}

const sum = (...names: string[]): ScalarSpec => ({ names, agg: "sum" });
const max = (...names: string[]): ScalarSpec => ({ names, agg: "max" });

/** vLLM V1 (≥ 0.8), newest names first, then the 0.8–0.10 aliases V1 still had. */
const vllmV1: DialectTable = {
  running: sum("vllm:num_requests_running"),
  waiting: sum("vllm:num_requests_waiting"),
  preemptionsTotal: sum("vllm:num_preemptions_total"),
  kvUsageGpu: max("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"),
  prefixQueriesTotal: sum("vllm:prefix_cache_queries_total", "vllm:gpu_prefix_cache_queries_total"),
  prefixHitsTotal: sum("vllm:prefix_cache_hits_total", "vllm:gpu_prefix_cache_hits_total"),
  promptTokensTotal: sum("vllm:prompt_tokens_total"),
  generationTokensTotal: sum("vllm:generation_tokens_total"),
  specDraftsTotal: sum("vllm:spec_decode_num_drafts_total"),
  specDraftTokensTotal: sum("vllm:spec_decode_num_draft_tokens_total"),
  specAcceptedTokensTotal: sum("vllm:spec_decode_num_accepted_tokens_total"),
  ttftHist: ["vllm:time_to_first_token_seconds"],
  itlHist: ["vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds"],
  e2eHist: ["vllm:e2e_request_latency_seconds"],
};

/** vLLM V0 (≤ 0.10): swapping, CPU cache, `time_per_output_token_seconds` is per-token ITL. */
const vllmV0: DialectTable = {
  ...vllmV1,
  swapped: sum("vllm:num_requests_swapped"),
  kvUsageGpu: max("vllm:gpu_cache_usage_perc", "vllm:kv_cache_usage_perc"),
  kvUsageCpu: max("vllm:cpu_cache_usage_perc"),
  itlHist: ["vllm:time_per_output_token_seconds", "vllm:inter_token_latency_seconds"],
};

/**
 * SGLang: prefix caching is counted in tokens like vLLM — every prompt token is a query and
 * `cached_tokens_total` (all cache_source values) are hits. Retractions are its preemptions.
 */
const sglang: DialectTable = {
  running: sum("sglang:num_running_reqs"),
  waiting: sum("sglang:num_queue_reqs"),
  preemptionsTotal: sum("sglang:num_retracted_requests_total"),
  kvUsageGpu: max("sglang:token_usage"),
  prefixQueriesTotal: sum("sglang:prompt_tokens_total"),
  prefixHitsTotal: sum("sglang:cached_tokens_total"),
  promptTokensTotal: sum("sglang:prompt_tokens_total"),
  generationTokensTotal: sum("sglang:generation_tokens_total"),
  ttftHist: ["sglang:time_to_first_token_seconds"],
  itlHist: ["sglang:inter_token_latency_seconds"],
  e2eHist: ["sglang:e2e_request_latency_seconds"],
};

/**
 * TGI has no token counters: the `_sum` of the per-request input/generated length histograms
 * is used, which only grows when a request finishes (rates lag by one request duration).
 * No TTFT or ITL histogram exists (`mean_time_per_token` is a per-request mean, not ITL).
 */
const tgi: DialectTable = {
  running: sum("tgi_batch_current_size"),
  waiting: sum("tgi_queue_size"),
  promptTokensTotal: sum("tgi_request_input_length_sum"),
  generationTokensTotal: sum("tgi_request_generated_tokens_sum"),
  countersLag: true,
  e2eHist: ["tgi_request_duration"],
};

/**
 * llama.cpp: only the `_total` token counters are used. `*_seconds_total` add up time over
 * slots (not wall time), and `prompt_tokens_seconds`, `predicted_tokens_seconds`,
 * `n_busy_slots_per_decode` are averages reset by every /metrics call, so they stay raw only.
 * `prompt_tokens_total` excludes cached tokens, counted in `prompt_tokens_cached_total` (build
 * ≥ ~b6000); both grow, like `tokens_predicted_total`, only when a request ends.
 * `kv_cache_usage_ratio` exists only in old builds (b4748 has it; b10587 does not).
 */
const llamacpp: DialectTable = {
  running: sum("llamacpp:requests_processing"),
  waiting: sum("llamacpp:requests_deferred"),
  kvUsageGpu: max("llamacpp:kv_cache_usage_ratio"),
  promptTokensTotal: sum("llamacpp:prompt_tokens_total"),
  promptCachedTotal: sum("llamacpp:prompt_tokens_cached_total"),
  generationTokensTotal: sum("llamacpp:tokens_predicted_total"),
  countersLag: true,
};

export const DIALECT_TABLES: Readonly<Record<Dialect, DialectTable>> = {
  "vllm-v1": vllmV1,
  "vllm-v0": vllmV0,
  sglang,
  tgi,
  llamacpp,
  unknown: {},
};
