// Owns the cross-field rules of workload and load-profile options (which combinations make
// sense), kept apart from the schema so run-config.ts stays one screen of field definitions.

import type { Endpoint } from "./endpoints.js";

interface Checked {
  endpoint: Endpoint;
  cancelAfter?: { kind: "ms" | "tokens" } | undefined;
  inputTokens: number;
  prompt?: string | undefined;
  dataset?: string | undefined;
  datasetSample?: number | undefined;
  inputDist?: unknown;
  prefixGroups?: number | undefined;
  prefixTokens?: number | undefined;
  suffixTokens?: number | undefined;
  sharedPrefixTokens: number;
  turns?: number | undefined;
  trace?: string | undefined;
  concurrency?: number[] | undefined;
  rate?: number[] | undefined;
  profile: "levels" | "sweep" | "slo-search";
  slo: ReadonlyArray<{ stat?: string | undefined }>;
  sloSearchBy: "rate" | "concurrency";
  rampMs?: number | undefined;
}

/** Calls `issue(field, message)` for each contradiction; the first one becomes the error. */
export function workloadRefinements(cfg: Checked, issue: (field: string, message: string) => void): void {
  const sources = [cfg.prompt && "prompt", cfg.dataset && "dataset", cfg.trace && "trace"].filter(Boolean);
  if (sources.length > 1) issue("trace", `use one of prompt, dataset and trace, not ${sources.join(" and ")}`);
  if (cfg.datasetSample !== undefined && cfg.dataset === undefined) issue("datasetSample", "needs dataset");
  if (cfg.inputDist !== undefined && (cfg.prompt || cfg.dataset || cfg.trace)) {
    issue("inputDist", "applies to synthetic prompts only (not with prompt, dataset or trace)");
  }
  if (cfg.prefixGroups !== undefined || cfg.prefixTokens !== undefined || cfg.suffixTokens !== undefined) {
    if (cfg.prefixGroups === undefined || cfg.prefixTokens === undefined) issue("prefixGroups", "prefix groups need both prefixGroups and prefixTokens");
    if (cfg.prompt || cfg.dataset || cfg.trace) issue("prefixGroups", "applies to synthetic prompts only");
    if (cfg.sharedPrefixTokens > 0) issue("prefixGroups", "use prefixGroups or sharedPrefixTokens, not both");
    if (cfg.suffixTokens === undefined && cfg.inputDist === undefined && cfg.prefixTokens !== undefined && cfg.prefixTokens >= cfg.inputTokens) {
      issue("prefixTokens", `must be smaller than inputTokens (${cfg.inputTokens}), or give suffixTokens`);
    }
    if (cfg.suffixTokens !== undefined && cfg.inputDist !== undefined) issue("suffixTokens", "use suffixTokens or inputDist, not both");
  }
  if (cfg.endpoint === "embeddings" && cfg.cancelAfter?.kind === "tokens") {
    issue("cancelAfter", "an embeddings answer streams no tokens: cancel after a time (e.g. 200ms)");
  }
  if (cfg.turns !== undefined) {
    if (cfg.endpoint !== "chat") issue("turns", "multi-turn sessions need endpoint chat");
    if (cfg.prompt || cfg.trace) issue("turns", "multi-turn sessions use synthetic prompts or a dataset");
    if (cfg.prefixGroups !== undefined) issue("turns", "multi-turn sessions cannot be combined with prefix groups");
  }
  if (cfg.trace !== undefined) {
    if (cfg.concurrency !== undefined || cfg.rate !== undefined) issue("trace", "a trace sets its own arrival times: drop concurrency and rate");
    if (cfg.profile !== "levels") issue("profile", "a trace replays as recorded: profile must be levels");
  }
  if (cfg.profile === "slo-search") {
    if (!cfg.slo.some((t) => t.stat !== undefined)) issue("slo", "slo-search needs aggregate terms such as ttft_ms.p99<=1000");
    if (cfg.sloSearchBy === "rate" && cfg.concurrency !== undefined)
      issue("concurrency", "slo-search by rate: drop concurrency (or use sloSearchBy concurrency)");
  }
  if (cfg.profile === "sweep" && (cfg.concurrency !== undefined || cfg.rate !== undefined)) {
    issue("profile", "sweep chooses its own levels: drop concurrency and rate");
  }
}
