// Owns per-request metric derivations from a raw RequestRecord (formulas in docs/metrics.md).
// Every latency starts at the *scheduled* send time so a late or queued send is never hidden.

import type { RequestRecord } from "../client/record.js";
import { plausibleCompletionTokens, plausiblePromptTokens } from "../client/usage-bounds.js";

export interface RequestMetrics {
  /** Scheduled send → first chunk with generated text (content or reasoning). */
  ttftMs?: number;
  /** Scheduled send → first chunk with answer content. */
  ttfcMs?: number;
  /** Scheduled send → end of stream. */
  e2eMs: number;
  /** (e2e − ttft) / (output tokens − 1): mean time per token after the first. */
  tpotMs?: number;
  /** Gaps between consecutive text-carrying chunks. */
  itlMs: number[];
  /** Server usage.completion_tokens when it can be right, else the client tokenizer's count (outputTokensOf). */
  outputTokens?: number;
  /** Server usage.prompt_tokens when it can be right, else the client tokenizer's count of what was sent. */
  promptTokens: number;
  /** 1000 / tpot: tokens per second of one stream after its first token. */
  decodeTokensPerS?: number;
  /** prompt tokens / ttft: how fast the prompt was consumed, queueing included. */
  prefillTokensPerS?: number;
  /** sent − scheduled: how far the send fell behind the schedule (event-loop lag or queue wait). */
  sendDelayMs: number;
}

/**
 * Server usage.completion_tokens, else the client tokenizer's count. A usage that cannot be right
 * (below the number of text chunks streamed, each of which carries a token, or absurd: above 10⁸
 * or negative) is replaced by the chunk count, a lower bound, so a lying server can neither
 * shrink throughput and inflate TPOT nor make a counter bug the throughput.
 */
export function outputTokensOf(record: RequestRecord): number | undefined {
  const usage = record.usage?.completionTokens;
  if (usage !== undefined && !plausibleCompletionTokens(usage, record.tokenChunkMs.length))
    return Math.max(record.clientOutputTokens ?? 0, record.tokenChunkMs.length);
  return usage ?? record.clientOutputTokens;
}

/** Server usage.prompt_tokens, else (absent, or impossible for the prompt sent: ≤ 0, absurdly large) the client's count. */
export function promptTokensOf(record: RequestRecord): number {
  const usage = record.usage?.promptTokens;
  return usage !== undefined && plausiblePromptTokens(usage, record.targetInputTokens) ? usage : record.targetInputTokens;
}

export function deriveRequestMetrics(record: RequestRecord): RequestMetrics {
  const ttftMs = record.firstTokenMs === undefined ? undefined : record.firstTokenMs - record.scheduledMs;
  const ttfcMs = record.firstContentMs === undefined ? undefined : record.firstContentMs - record.scheduledMs;
  const e2eMs = record.endMs - record.scheduledMs;
  const outputTokens = outputTokensOf(record);
  const promptTokens = promptTokensOf(record);
  const itlMs: number[] = [];
  for (let i = 1; i < record.tokenChunkMs.length; i++) {
    itlMs.push((record.tokenChunkMs[i] as number) - (record.tokenChunkMs[i - 1] as number));
  }
  const metrics: RequestMetrics = { e2eMs, itlMs, promptTokens, sendDelayMs: record.sentMs - record.scheduledMs };
  if (ttftMs !== undefined) {
    metrics.ttftMs = ttftMs;
    if (ttftMs > 0) metrics.prefillTokensPerS = (promptTokens * 1000) / ttftMs;
  }
  if (ttfcMs !== undefined) metrics.ttfcMs = ttfcMs;
  if (outputTokens !== undefined) metrics.outputTokens = outputTokens;
  // TPOT excludes the first token: its time is TTFT (prefill), a different cost.
  if (ttftMs !== undefined && outputTokens !== undefined && outputTokens > 1) {
    const tpotMs = (e2eMs - ttftMs) / (outputTokens - 1);
    metrics.tpotMs = tpotMs;
    if (tpotMs > 0) metrics.decodeTokensPerS = 1000 / tpotMs;
  }
  return metrics;
}
