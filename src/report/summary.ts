// Owns the versioned result model (summary.json) that every renderer reads.
// Bump SUMMARY_SCHEMA when a field changes meaning; adding fields is compatible.

import type { LevelSummary } from "../metrics/level.js";

export const SUMMARY_SCHEMA = "servebench.summary/v1";

export interface RunInfo {
  started_at: string;
  finished_at?: string;
  target: string;
  embedded_simulator: boolean;
  model: string;
  endpoint: "completions" | "chat";
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
  /** Set by `servebench import`: numbers from another tool or an offline benchmark, not measured by servebench. */
  imported?: { source: string; row: number };
}

export interface RunSummary {
  schema: typeof SUMMARY_SCHEMA;
  servebench_version: string;
  run: RunInfo;
  levels: LevelSummary[];
}
