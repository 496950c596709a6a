import { describe, expect, it } from "vitest";
import { readWireFixture, sseFixtureNames } from "../../test/helpers/wire-server.js";
import { parseChunk, type StreamEvent } from "./chunk-parser.js";
import type { UsageCounts } from "./record.js";
import { decodeSse } from "./sse-decoder.js";

interface StreamSummary {
  /** Events carrying content or reasoning text. */
  textChunks: number;
  contentChunks: number;
  finishReason?: string;
  usage?: UsageCounts;
  done: boolean;
  errorCode?: string;
}

function summarise(name: string): StreamSummary {
  const summary: StreamSummary = { textChunks: 0, contentChunks: 0, done: false };
  for (const data of decodeSse([readWireFixture(name)])) {
    const event = parseChunk(data);
    if (event.kind === "done") summary.done = true;
    else if (event.kind === "error") summary.errorCode ??= event.code;
    else {
      if (event.content !== "" || event.reasoning !== "") summary.textChunks++;
      if (event.content !== "") summary.contentChunks++;
      if (event.finishReason !== undefined) summary.finishReason = event.finishReason;
      if (event.usage !== undefined) summary.usage = event.usage;
    }
  }
  return summary;
}

const ok = (textChunks: number, finishReason: string, usage?: UsageCounts): StreamSummary => ({
  textChunks,
  contentChunks: textChunks,
  finishReason,
  ...(usage === undefined ? {} : { usage }),
  done: true,
});

/** The answer has 7 text tokens + EOS (8 completion tokens); completions stop at 8 (length). */
const EXPECTED: Record<string, StreamSummary> = {
  "llamacpp-b4748-chat-captured.sse.txt": ok(12, "length", { completionTokens: 12, promptTokens: 52 }),
  "llamacpp-b4748-completions-captured.sse.txt": ok(16, "length", { completionTokens: 16, promptTokens: 6 }),
  "llamacpp-chat-error-midstream.sse.txt": {
    textChunks: 3,
    contentChunks: 3,
    done: false,
    errorCode: "midstream_error",
  },
  "llamacpp-chat-reasoning.sse.txt": { ...ok(23, "stop"), contentChunks: 7 },
  "llamacpp-chat-usage.sse.txt": ok(7, "stop", { completionTokens: 8, promptTokens: 20, cachedPromptTokens: 0 }),
  // Real llama-server b10587 (tiny model): the second of two identical prompts, 4 of its 5 tokens cached.
  "llamacpp-b10587-completions-cached-captured.sse.txt": ok(4, "length", { completionTokens: 4, promptTokens: 5, cachedPromptTokens: 4 }),
  "llamacpp-b10587-chat-usage-captured.sse.txt": ok(4, "length", { completionTokens: 4, promptTokens: 15, cachedPromptTokens: 3 }),
  "llamacpp-chat.sse.txt": ok(7, "stop"),
  "llamacpp-completions.sse.txt": ok(8, "length", { completionTokens: 8, promptTokens: 5, cachedPromptTokens: 0 }),
  "sglang-chat-usage.sse.txt": ok(7, "stop", { promptTokens: 20, completionTokens: 8, reasoningTokens: 0 }),
  "sglang-chat.sse.txt": ok(7, "stop"),
  "sglang-completions-usage.sse.txt": ok(8, "length", { promptTokens: 5, completionTokens: 8, reasoningTokens: 0 }),
  "tgi-chat-error-overloaded.sse.txt": { textChunks: 0, contentChunks: 0, done: true, errorCode: "midstream_error" },
  "tgi-chat-error-validation.sse.txt": { textChunks: 0, contentChunks: 0, done: true, errorCode: "midstream_error" },
  "tgi-chat-keepalive.sse.txt": ok(7, "stop"),
  "tgi-chat-usage.sse.txt": ok(7, "stop", { promptTokens: 42, completionTokens: 8 }),
  "tgi-chat.sse.txt": ok(7, "stop"),
  "tgi-completions.sse.txt": ok(8, "length", { promptTokens: 6, completionTokens: 8 }),
  "vllm-chat-continuous-usage.sse.txt": ok(7, "stop", { promptTokens: 20, completionTokens: 8 }),
  "vllm-chat-error-midstream.sse.txt": { textChunks: 3, contentChunks: 3, done: true, errorCode: "midstream_error" },
  "vllm-chat-reasoning.sse.txt": {
    ...ok(25, "stop", { promptTokens: 16, completionTokens: 28, reasoningTokens: 19 }),
    contentChunks: 8,
  },
  "vllm-chat-usage.sse.txt": ok(7, "stop", { promptTokens: 20, completionTokens: 8 }),
  "vllm-chat.sse.txt": ok(7, "stop"),
  "vllm-completions-usage.sse.txt": ok(8, "length", { promptTokens: 5, completionTokens: 8 }),
  "vllm-completions.sse.txt": ok(8, "length"),
  "vllmrs-chat-error-raw.sse.txt": { textChunks: 2, contentChunks: 2, done: false, errorCode: "midstream_error" },
  "vllmrs-chat-usage.sse.txt": ok(7, "stop", { promptTokens: 20, completionTokens: 8 }),
};

describe("parseChunk on every wire fixture", () => {
  it("has an expectation for every fixture", () => {
    // Responses-API streams (named events) are read by responses-events, tested beside it.
    const chunkStreams = sseFixtureNames().filter((name) => !name.includes("-responses-"));
    expect(Object.keys(EXPECTED).sort()).toEqual(chunkStreams);
  });
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(name, () => {
      expect(summarise(name)).toEqual(expected);
    });
  }
});

const chunk = (fields: Partial<Omit<Extract<StreamEvent, { kind: "chunk" }>, "kind">>): StreamEvent => ({
  kind: "chunk",
  content: "",
  reasoning: "",
  finishReason: undefined,
  usage: undefined,
  responseId: undefined,
  ...fields,
});

describe("parseChunk", () => {
  it("recognises the end marker", () => {
    expect(parseChunk("[DONE]")).toEqual({ kind: "done" });
    expect(parseChunk("[DONE] ")).toEqual({ kind: "done" });
  });

  it("does not count role-only, empty, null or empty-delta chunks as text", () => {
    for (const data of [
      '{"choices":[{"delta":{"role":"assistant"}}]}',
      '{"choices":[{"delta":{"role":"assistant","content":""}}]}',
      '{"choices":[{"delta":{"content":null,"reasoning_content":null}}]}',
      '{"choices":[{"delta":{}}]}',
      '{"choices":[]}',
      "{}",
    ]) {
      expect(parseChunk(data)).toEqual(chunk({}));
    }
  });

  it("reads completions text, chat content and both reasoning spellings (counted once)", () => {
    expect(parseChunk('{"choices":[{"text":"ab"}]}')).toEqual(chunk({ content: "ab" }));
    expect(parseChunk('{"choices":[{"delta":{"content":"ab"}}]}')).toEqual(chunk({ content: "ab" }));
    expect(parseChunk('{"choices":[{"delta":{"reasoning":"r"}}]}')).toEqual(chunk({ reasoning: "r" }));
    expect(parseChunk('{"choices":[{"delta":{"reasoning_content":"r"}}]}')).toEqual(chunk({ reasoning: "r" }));
    expect(parseChunk('{"choices":[{"delta":{"reasoning":"r","reasoning_content":"r"}}]}')).toEqual(chunk({ reasoning: "r" }));
  });

  it("treats TGI's empty finish_reason as none", () => {
    expect(parseChunk('{"choices":[{"text":"x","finish_reason":""}]}')).toEqual(chunk({ content: "x" }));
  });

  it("reads usage wherever it is, including nested and top-level reasoning counts", () => {
    expect(parseChunk('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"completion_tokens_details":{"reasoning_tokens":2}}}')).toEqual(
      chunk({ usage: { promptTokens: 3, completionTokens: 4, reasoningTokens: 2 } }),
    );
    expect(parseChunk('{"choices":[{"delta":{}}],"usage":null}')).toEqual(chunk({}));
  });

  it("turns error objects into midstream errors with message, type and status", () => {
    expect(parseChunk('{"error": {"message": "boom", "type": "InternalServerError", "code": 500}}')).toEqual({
      kind: "error",
      code: "midstream_error",
      message: "boom (InternalServerError, 500)",
    });
    expect(parseChunk('{"error":{"message":"Model is overloaded","http_status_code":422}}')).toEqual({
      kind: "error",
      code: "midstream_error",
      message: "Model is overloaded (422)",
    });
    expect(parseChunk('{"error":"plain"}')).toEqual({ kind: "error", code: "midstream_error", message: "plain" });
  });

  it("turns a non-null choices[].error (vllm.rs) into a midstream error", () => {
    const event = parseChunk('{"choices":[{"delta":{"content":"x"},"error":"engine died"}]}');
    expect(event).toEqual({ kind: "error", code: "midstream_error", message: "engine died" });
  });

  it("never throws: raw text is a server message, broken JSON is bad_sse", () => {
    expect(parseChunk("CUDA out of memory")).toEqual({
      kind: "error",
      code: "midstream_error",
      message: "CUDA out of memory",
    });
    expect(parseChunk('{"choices":[{"te')).toMatchObject({ kind: "error", code: "bad_sse" });
    expect(parseChunk("42")).toMatchObject({ kind: "error", code: "bad_sse" });
    expect(parseChunk("null")).toMatchObject({ kind: "error", code: "bad_sse" });
    expect(parseChunk("")).toMatchObject({ kind: "error", code: "midstream_error" });
    expect((parseChunk("x".repeat(5000)) as { message: string }).message.length).toBeLessThan(600);
  });
});

describe("response id", () => {
  it("is taken from the chunk id and ignored when empty (TGI)", () => {
    const withId = parseChunk('{"id":"cmpl-1","choices":[{"text":"a","finish_reason":null}]}');
    expect(withId.kind === "chunk" && withId.responseId).toBe("cmpl-1");
    const tgi = parseChunk('{"id":"","choices":[{"delta":{"content":"a"},"finish_reason":null}]}');
    expect(tgi.kind === "chunk" && tgi.responseId).toBeUndefined();
  });
});
