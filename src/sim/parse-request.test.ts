import { describe, expect, it } from "vitest";
import { parseRequest } from "./parse-request.js";
import type { ParseContext } from "./parse-request.js";

const ctx: ParseContext = {
  model: "sim-model",
  maxModelLen: 100,
  defaultMaxTokens: undefined,
  countPromptTokens: (text) => text.split(" ").length,
  chatTemplateTokens: 3,
  chatMessageTokens: 2,
};

const ok = (endpoint: "completions" | "chat", body: unknown, c: ParseContext = ctx) => {
  const r = parseRequest(endpoint, body, c);
  if (!r.ok) throw new Error(`expected ok, got ${r.error.message}`);
  return r.request;
};
const err = (endpoint: "completions" | "chat", body: unknown) => {
  const r = parseRequest(endpoint, body, ctx);
  if (r.ok) throw new Error("expected an error");
  return r.error;
};

describe("parseRequest", () => {
  it("reads a streaming completions request", () => {
    const r = ok("completions", {
      model: "sim-model",
      prompt: "a b c",
      max_tokens: 8,
      min_tokens: 2,
      ignore_eos: true,
      stream: true,
      stream_options: { include_usage: true },
      seed: 42,
    });
    expect(r).toEqual({
      endpoint: "completions",
      stream: true,
      includeUsage: true,
      promptTokens: 3,
      promptContent: "a b c",
      maxTokens: 8,
      minTokens: 2,
      ignoreEos: true,
      seed: 42,
    });
  });

  it("counts token-id prompts exactly and defaults max_tokens to 16 for completions", () => {
    const r = ok("completions", { prompt: [1, 2, 3, 4] });
    expect([r.promptTokens, r.maxTokens, r.stream]).toEqual([4, 16, false]);
    expect(ok("completions", { prompt: [[5, 6]] }).promptTokens).toBe(2);
    expect(ok("completions", { prompt: ["x y"] }).promptTokens).toBe(2);
  });

  it("counts chat per message plus template overheads; default max_tokens fills the context", () => {
    const r = ok("chat", {
      messages: [
        { role: "system", content: "be brief" },
        {
          role: "user",
          content: [
            { type: "text", text: "hello " },
            { type: "text", text: "there you" },
          ],
        },
      ],
    });
    expect(r.promptTokens).toBe(3 + 2 + 2 + 2 + 3);
    expect(r.maxTokens).toBe(100 - 12);
    expect(ok("chat", { messages: [{ role: "user", content: "x" }], max_completion_tokens: 5, max_tokens: 9 }).maxTokens).toBe(5);
    expect(ok("chat", { messages: [{ role: "user", content: "x" }] }, { ...ctx, defaultMaxTokens: 7 }).maxTokens).toBe(7);
  });

  it("answers 404 for another model and 400 for a too-long request", () => {
    expect(err("completions", { model: "gpt-4o", prompt: "x" })).toMatchObject({ status: 404, type: "NotFoundError", param: "model" });
    const e = err("completions", { prompt: "a b c d", max_tokens: 97 });
    expect(e).toMatchObject({ status: 400, type: "BadRequestError", param: "input_tokens" });
    expect(e.message).toContain("maximum context length is 100 tokens");
    expect(e.message).toContain("you requested 97 output tokens");
    expect(ok("completions", { prompt: "a b c d", max_tokens: 96 }).maxTokens).toBe(96);
    expect(err("completions", { prompt: Array.from({ length: 100 }, () => 1) }).param).toBe("input_tokens");
  });

  it.each([
    ["not an object", [1, 2]],
    ["no prompt", {}],
    ["empty prompt", { prompt: "" }],
    ["batch of prompts", { prompt: ["a", "b"] }],
    ["bad max_tokens", { prompt: "x", max_tokens: 0 }],
    ["fractional max_tokens", { prompt: "x", max_tokens: 1.5 }],
    ["min_tokens > max_tokens", { prompt: "x", max_tokens: 3, min_tokens: 4 }],
    ["stream_options without stream", { prompt: "x", stream_options: { include_usage: true } }],
    ["n > 1", { prompt: "x", n: 2 }],
    ["stream not boolean", { prompt: "x", stream: "yes" }],
  ])("400 for %s", (_name, body) => {
    expect(err("completions", body).status).toBe(400);
  });

  it("400 for bad chat messages", () => {
    expect(err("chat", { messages: [] }).status).toBe(400);
    expect(err("chat", { messages: [{ content: "x" }] }).status).toBe(400);
    expect(err("chat", { messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] }).status).toBe(400);
  });
});
