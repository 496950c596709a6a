// Owns the versioned result model (summary.json) that every renderer reads.
// Bump SUMMARY_SCHEMA when a field changes meaning; adding fields is compatible.

import type { LevelSummary } from "../metrics/level.js";
import type { ScaleInfo } from "./scale-info.js";
import type { Endpoint } from "../workload/request-spec.js";

export const SUMMARY_SCHEMA = "servebench.summary/v1";

export interface RunInfo {
  started_at: string;
  finished_at?: string;
  target: string;
  embedded_simulator: boolean;
  /** The embedded simulator's engine when embedded_simulator: its GPU preset or simple timing. */
  simulator?: SimulatorInfo;
  model: string;
  endpoint: Endpoint;
  tokenizer: string;
  workload: string;
  input_tokens?: number;
  output_tokens?: number;
  strict: boolean;
  slo?: string;
  percentiles: number[];
  seed: number;
  /** True when produced by `servebench predict` (virtual time), never by measuring a server. */
  predicted: boolean;
  interrupted: boolean;
  /** How target input tokens were counted: tokenizer, chat-template, server-tokenize or message-contents. */
  input_token_count?: string;
  /** The server's context limit from GET /v1/models; synthetic and dataset lengths were clipped to it. */
  max_model_len?: number;
  /** Load profile: levels, sweep or slo-search. */
  profile?: string;
  /** --profile slo-search: the highest request rate that met every aggregate SLO term. */
  slo_max_rate_per_s?: number | null;
  /** --profile slo-search --slo-search-by concurrency: the highest concurrency that met the SLO. */
  slo_max_concurrency?: number | null;
  slo_search?: {
    by: "rate" | "concurrency";
    slo: string;
    tolerance: number;
    probes: number;
    converged: boolean;
    /** Lowest probed load above the best that failed (the search bracket's upper end). */
    failed_above: number | null;
    /** Level index of the best probe, and its goodput under the per-request form of the SLO. */
    level: number | null;
    goodput_request_per_s: number | null;
    goodput_fraction: number | null;
  };
  /** Set by `servebench import`: numbers from another tool or an offline benchmark, not measured by servebench. */
  imported?: { source: string; row: number };
  /** Worker threads and shards behind this run (absent: one process, one thread). */
  scale?: ScaleInfo;
  /** What the run's exit code says (README "Exit codes"): ok, partial (some requests failed), or what failed, and why. */
  verdict?: RunVerdictInfo;
}

/** What an embedded-simulator run benchmarked, so its report says which hardware it stands for. */
export interface SimulatorInfo {
  /** roofline: step times from the GPU × model preset; simple: fixed timing flags. */
  engine: "roofline" | "simple";
  /** One line, e.g. "Qwen/Qwen3-32B fp8 on H100-SXM tp=2 pp=1: 16.4 GB weights/GPU, KV …". */
  description: string;
  /** Served model id. */
  model: string;
  dialect: string;
  max_model_len: number;
  faults?: string;
  /** The named preset (e.g. rtx-4070-qwen3-8b-awq) when the run did not choose a GPU. */
  preset?: string;
  gpu?: string;
  dtype?: string;
  kv_dtype?: string;
  tp?: number;
  pp?: number;
}

export type RunStatus = "ok" | "partial" | "target_failed" | "strict_mismatch" | "slo_not_met" | "interrupted";

export interface RunVerdictInfo {
  /** The worst finding, in the order interrupted > target_failed > strict_mismatch > slo_not_met > partial > ok. */
  status: RunStatus;
  /** One line per finding, e.g. "level 0 (concurrency 1): every one of the 3 requests failed". */
  reasons: string[];
}

export interface RunSummary {
  schema: typeof SUMMARY_SCHEMA;
  servebench_version: string;
  run: RunInfo;
  levels: LevelSummary[];
}
