import { describe, expect, it } from "vitest";
import { isBenchError } from "../errors.js";
import type { RequestSpec } from "../workload/request-spec.js";
import { buildRequestBody, resolveEndpoint, type BodyOptions } from "./request-builder.js";

describe("resolveEndpoint", () => {
  it("adds /v1 once, whatever the base URL ends with", () => {
    for (const base of ["http://h:8000", "http://h:8000/", "http://h:8000/v1", "http://h:8000/v1/", "http://h:8000/v1//"]) {
      expect(resolveEndpoint(base, "completions")).toEqual({ origin: "http://h:8000", path: "/v1/completions" });
      expect(resolveEndpoint(base, "chat").path).toBe("/v1/chat/completions");
    }
  });

  it("keeps a path prefix", () => {
    expect(resolveEndpoint("https://gw.example/openai", "chat")).toEqual({
      origin: "https://gw.example",
      path: "/openai/v1/chat/completions",
    });
  });

  it("rejects what is not an http(s) URL with E_BAD_URL", () => {
    for (const bad of ["localhost:8000", "ftp://h/", ""]) {
      let caught: unknown;
      try {
        resolveEndpoint(bad, "chat");
      } catch (error) {
        caught = error;
      }
      expect(isBenchError(caught) && caught.code === "E_BAD_URL").toBe(true);
    }
  });
});

const spec = (fields: Partial<RequestSpec> = {}): RequestSpec => ({
  index: 0,
  prompt: "Hello",
  inputTokens: 1,
  targetOutputTokens: 16,
  ...fields,
});
const options = (fields: Partial<BodyOptions> = {}): BodyOptions => ({
  endpoint: "completions",
  model: "m",
  ignoreEos: false,
  exactOutput: false,
  ...fields,
});
const body = (s: RequestSpec, o: BodyOptions): Record<string, unknown> => JSON.parse(buildRequestBody(s, o)) as Record<string, unknown>;

describe("buildRequestBody", () => {
  it("streams with usage, greedy, and the requested length", () => {
    expect(body(spec(), options())).toEqual({
      model: "m",
      prompt: "Hello",
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
    });
  });

  it("pins the output length when exact output is wanted", () => {
    expect(body(spec(), options({ exactOutput: true }))).toMatchObject({ max_tokens: 16, min_tokens: 16, ignore_eos: true });
    const free = body(spec({ targetOutputTokens: undefined }), options({ exactOutput: true }));
    expect(free).not.toHaveProperty("max_tokens");
    expect(free).not.toHaveProperty("min_tokens");
    expect(free).not.toHaveProperty("ignore_eos");
  });

  it("sends ignore_eos alone when asked", () => {
    const b = body(spec(), options({ ignoreEos: true }));
    expect(b["ignore_eos"]).toBe(true);
    expect(b).not.toHaveProperty("min_tokens");
  });

  it("sends messages to chat, wrapping a bare prompt", () => {
    const messages = [{ role: "user" as const, content: "Hi" }];
    expect(body(spec({ messages }), options({ endpoint: "chat" }))["messages"]).toEqual(messages);
    expect(body(spec(), options({ endpoint: "chat" }))["messages"]).toEqual([{ role: "user", content: "Hello" }]);
  });

  it("lets extraBody override any field", () => {
    expect(body(spec(), options({ extraBody: { temperature: 0.7, top_k: 5 } }))).toMatchObject({ temperature: 0.7, top_k: 5 });
  });

  it("sends the Responses API its input, max_output_tokens and no stream_options; embeddings one unstreamed input", () => {
    const r = body(spec({ targetOutputTokens: 12 }), options({ endpoint: "responses", exactOutput: true }));
    expect(r).toMatchObject({ input: "Hello", max_output_tokens: 12, stream: true, min_tokens: 12, ignore_eos: true });
    expect(r).not.toHaveProperty("stream_options");
    expect(r).not.toHaveProperty("max_tokens");
    const messages = [{ role: "user" as const, content: "Hi" }];
    expect(body(spec({ messages }), options({ endpoint: "responses" }))["input"]).toEqual(messages);
    const e = body(spec({ targetOutputTokens: 12 }), options({ endpoint: "embeddings" }));
    expect(e).toEqual({ model: expect.any(String) as string, input: "Hello", encoding_format: "float" });
    expect(resolveEndpoint("http://h:1/v1", "embeddings").path).toBe("/v1/embeddings");
    expect(resolveEndpoint("http://h:1", "responses").path).toBe("/v1/responses");
  });
});
