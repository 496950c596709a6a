// Owns the two OpenAI routes beyond completions and chat as vLLM serves them: the Responses API
// stream (/v1/responses: named SSE events, text deltas, usage on response.completed or
// .incomplete, no [DONE]) and the embeddings answer (/v1/embeddings: one JSON body with usage).

import type { Finish, StreamIds, StreamWriter } from "./dialects/dialect.js";

function event(type: string, body: Record<string, unknown>, seq: number): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq, ...body })}\n\n`;
}

/** The Responses API stream of one request. */
export function responsesWriter(ids: StreamIds): StreamWriter {
  let seq = 0;
  let finish: Finish | null = null;
  let text = "";
  const itemId = `msg_${ids.id.replace(/^resp_/, "")}`;
  const response = (status: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: ids.id,
    object: "response",
    created_at: ids.created,
    model: ids.model,
    status,
    ...extra,
  });
  const part = { output_index: 0, content_index: 0, item_id: itemId };
  return {
    output(t, first, f, reasoning) {
      let out = "";
      if (first) {
        out += event("response.created", { response: response("in_progress") }, seq++);
        out += event("response.in_progress", { response: response("in_progress") }, seq++);
        out += event(
          "response.output_item.added",
          { output_index: 0, item: { id: itemId, type: "message", role: "assistant", status: "in_progress", content: [] } },
          seq++,
        );
        out += event("response.content_part.added", { ...part, part: { type: "output_text", text: "", annotations: [] } }, seq++);
      }
      if (f !== null) finish = f;
      if (t !== "") {
        if (reasoning === true && f === null) out += event("response.reasoning_text.delta", { ...part, delta: t }, seq++);
        else {
          text += t;
          out += event("response.output_text.delta", { ...part, delta: t, logprobs: [] }, seq++);
        }
      }
      return out;
    },
    end(promptTokens, completionTokens, cachedTokens, reasoningTokens) {
      const usage = {
        input_tokens: promptTokens,
        input_tokens_details: { cached_tokens: cachedTokens },
        output_tokens: completionTokens,
        output_tokens_details: { reasoning_tokens: reasoningTokens ?? 0 },
        total_tokens: promptTokens + completionTokens,
      };
      const message = { id: itemId, type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text, annotations: [] }] };
      const done = finish === "length" ? "response.incomplete" : "response.completed";
      const extra = finish === "length" ? { incomplete_details: { reason: "max_output_tokens" } } : {};
      return (
        event("response.output_text.done", { ...part, text }, seq++) +
        event("response.content_part.done", { ...part, part: { type: "output_text", text, annotations: [] } }, seq++) +
        event("response.output_item.done", { output_index: 0, item: message }, seq++) +
        event(done, { response: response(finish === "length" ? "incomplete" : "completed", { ...extra, output: [message], usage }) }, seq++)
      );
    },
    error: (message) => event("error", { code: "internal_error", message, param: null }, seq++),
  };
}

/** A deterministic unit vector for a prompt: the simulator has no model, only the answer's shape. */
function embeddingOf(promptTokens: number, dims = 16): number[] {
  const raw = Array.from({ length: dims }, (_, i) => Math.sin((promptTokens + 1) * (i + 1)));
  const norm = Math.hypot(...raw) || 1;
  return raw.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}

/** The /v1/embeddings answer for one input. */
export function embeddingsBody(ids: StreamIds, promptTokens: number): string {
  return JSON.stringify({
    id: ids.id,
    object: "list",
    created: ids.created,
    model: ids.model,
    data: [{ index: 0, object: "embedding", embedding: embeddingOf(promptTokens) }],
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens, completion_tokens: 0, prompt_tokens_details: null },
  });
}
