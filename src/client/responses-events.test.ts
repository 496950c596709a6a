// The Responses API stream as OpenAI documents it and vLLM serves it: named events, text and
// reasoning deltas, usage on the final event; failures are midstream errors. Written from the
// API reference's event shapes (no recorded vLLM transcript of /v1/responses in test/fixtures yet).
import { describe, expect, it } from "vitest";
import { parseChunk } from "./chunk-parser.js";

const ev = (type: string, body: Record<string, unknown> = {}): string => JSON.stringify({ type, sequence_number: 1, ...body });

describe("Responses API events", () => {
  it("carry answer and reasoning text in their deltas, nothing in the bookkeeping events", () => {
    expect(parseChunk(ev("response.output_text.delta", { item_id: "msg_1", output_index: 0, content_index: 0, delta: "Hi" }))).toMatchObject({
      kind: "chunk",
      content: "Hi",
      reasoning: "",
    });
    for (const type of [
      "response.reasoning_text.delta",
      "response.reasoning.delta",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary.delta",
    ]) {
      expect(parseChunk(ev(type, { delta: "think" }))).toMatchObject({ kind: "chunk", content: "", reasoning: "think" });
    }
    for (const type of ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.done"]) {
      expect(parseChunk(ev(type, { response: { id: "resp_1", status: "in_progress" } }))).toMatchObject({
        kind: "chunk",
        content: "",
        reasoning: "",
        finishReason: undefined,
        usage: undefined,
      });
    }
    expect(parseChunk(ev("response.created", { response: { id: "resp_9" } }))).toMatchObject({ responseId: "resp_9" });
  });

  it("end with the usage: completed is a stop, incomplete at max_output_tokens a length", () => {
    const usage = {
      input_tokens: 70,
      input_tokens_details: { cached_tokens: 48 },
      output_tokens: 16,
      output_tokens_details: { reasoning_tokens: 4 },
      total_tokens: 86,
    };
    expect(parseChunk(ev("response.completed", { response: { id: "resp_1", status: "completed", usage } }))).toMatchObject({
      finishReason: "stop",
      usage: { promptTokens: 70, completionTokens: 16, reasoningTokens: 4, cachedPromptTokens: 48 },
    });
    expect(
      parseChunk(ev("response.incomplete", { response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, usage } })),
    ).toMatchObject({
      finishReason: "length",
      usage: { completionTokens: 16 },
    });
  });

  it("that report a failure are midstream errors with the server's message", () => {
    expect(parseChunk(ev("error", { code: "server_error", message: "engine died" }))).toEqual({
      kind: "error",
      code: "midstream_error",
      message: "engine died (server_error)",
    });
    expect(parseChunk(ev("response.failed", { response: { status: "failed", error: { code: "server_error", message: "out of memory" } } }))).toMatchObject({
      kind: "error",
      message: "out of memory (server_error)",
    });
  });

  it("leave chat chunks alone even when they carry a type field", () => {
    expect(parseChunk(JSON.stringify({ type: "response.x", choices: [{ delta: { content: "a" } }] }))).toMatchObject({ content: "a" });
  });
});
