// Owns the meaning of one event of the OpenAI Responses API stream (/v1/responses, as vLLM serves
// it): output and reasoning text deltas, the final usage on response.completed / .incomplete, and
// failures (response.failed, error). Pure and total, like chunk-parser.ts, which hands these over.

import type { ChunkEvent, ErrorEvent } from "./stream-event.js";
import { clip, isCount, isObject } from "./json-values.js";
import type { UsageCounts } from "./record.js";

const REASONING_DELTAS: ReadonlySet<string> = new Set([
  "response.reasoning_text.delta",
  "response.reasoning.delta",
  "response.reasoning_summary_text.delta",
  "response.reasoning_summary.delta",
]);

/** True when a parsed event is a Responses API event (`type` names it) rather than a chat/completions chunk. */
export function isResponsesEvent(value: Record<string, unknown>): boolean {
  const type = value["type"];
  return typeof type === "string" && (type.startsWith("response.") || type === "error") && value["choices"] === undefined;
}

export function parseResponsesEvent(value: Record<string, unknown>): ChunkEvent | ErrorEvent {
  const type = value["type"] as string;
  const event: ChunkEvent = { kind: "chunk", content: "", reasoning: "", finishReason: undefined, usage: undefined, responseId: undefined };
  const delta = typeof value["delta"] === "string" ? value["delta"] : "";
  if (type === "response.output_text.delta") event.content = delta;
  else if (REASONING_DELTAS.has(type)) event.reasoning = delta;
  else if (type === "error") return failure(value);
  const response = value["response"];
  if (isObject(response)) {
    if (typeof response["id"] === "string" && response["id"] !== "") event.responseId = response["id"];
    if (type === "response.failed") return failure(isObject(response["error"]) ? response["error"] : response);
    if (type === "response.completed" || type === "response.incomplete") {
      const details = response["incomplete_details"];
      const reason = isObject(details) && typeof details["reason"] === "string" ? details["reason"] : undefined;
      // max_output_tokens is what chat calls "length".
      event.finishReason = type === "response.completed" ? "stop" : reason === "max_output_tokens" ? "length" : (reason ?? "incomplete");
      const usage = response["usage"];
      if (isObject(usage)) event.usage = usageOf(usage);
    }
  }
  return event;
}

function usageOf(usage: Record<string, unknown>): UsageCounts {
  const counts: UsageCounts = {};
  if (isCount(usage["input_tokens"])) counts.promptTokens = usage["input_tokens"];
  if (isCount(usage["output_tokens"])) counts.completionTokens = usage["output_tokens"];
  const out = usage["output_tokens_details"];
  if (isObject(out) && isCount(out["reasoning_tokens"])) counts.reasoningTokens = out["reasoning_tokens"];
  const input = usage["input_tokens_details"];
  if (isObject(input) && isCount(input["cached_tokens"])) counts.cachedPromptTokens = input["cached_tokens"];
  return counts;
}

function failure(error: Record<string, unknown>): ErrorEvent {
  const message = typeof error["message"] === "string" ? error["message"] : JSON.stringify(error);
  const code = error["code"];
  const suffix = typeof code === "string" || typeof code === "number" ? ` (${String(code)})` : "";
  return { kind: "error", code: "midstream_error", message: clip(message + suffix) };
}
