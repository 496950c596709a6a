// Owns per-request metric derivations from a raw RequestRecord (formulas in docs/metrics.md).
// Every latency starts at the *scheduled* send time so a late or queued send is never hidden.

import type { RequestRecord } from "../client/record.js";

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
  /** Server usage.completion_tokens, else the client tokenizer's count. */
  outputTokens?: number;
  /** Server usage.prompt_tokens, else the client tokenizer's count of what was sent. */
  promptTokens: number;
  /** 1000 / tpot: tokens per second of one stream after its first token. */
  decodeTokensPerS?: number;
  /** prompt tokens / ttft: how fast the prompt was consumed, queueing included. */
  prefillTokensPerS?: number;
  /** sent − scheduled: how far the send fell behind the schedule (event-loop lag or queue wait). */
  sendDelayMs: number;
}

/**
 * Server usage.completion_tokens, else the client tokenizer's count. A usage below the number of
 * text chunks streamed is impossible (each chunk carries a token): the chunk count, a lower bound,
 * is used instead, so a lying server cannot shrink throughput and inflate TPOT.
 */
export function outputTokensOf(record: RequestRecord): number | undefined {
  const usage = record.usage?.completionTokens;
  if (usage !== undefined && usage < record.tokenChunkMs.length) return Math.max(record.clientOutputTokens ?? 0, record.tokenChunkMs.length);
  return usage ?? record.clientOutputTokens;
}

export function deriveRequestMetrics(record: RequestRecord): RequestMetrics {
  const ttftMs = record.firstTokenMs === undefined ? undefined : record.firstTokenMs - record.scheduledMs;
  const ttfcMs = record.firstContentMs === undefined ? undefined : record.firstContentMs - record.scheduledMs;
  const e2eMs = record.endMs - record.scheduledMs;
  const outputTokens = outputTokensOf(record);
  const promptTokens = record.usage?.promptTokens ?? record.targetInputTokens;
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
