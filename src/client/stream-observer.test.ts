import { describe, expect, it } from "vitest";
import { readWireFixture } from "../../test/helpers/wire-server.js";
import { readEmbeddings, StreamObserver, type ObserverInit } from "./stream-observer.js";

const ORIGIN = 1_000_000;

function observer(fields: Partial<ObserverInit> = {}): StreamObserver {
  return new StreamObserver({
    id: "0-3",
    level: 0,
    index: 3,
    warmup: false,
    originMs: ORIGIN,
    scheduledMs: ORIGIN + 5,
    sentMs: ORIGIN + 6,
    targetInputTokens: 20,
    targetOutputTokens: 8,
    keepText: false,
    ...fields,
  });
}

const sse = (...events: string[]): Buffer => Buffer.from(events.map((e) => `data: ${e}\n\n`).join(""));
const content = (text: string, finish: string | null = null): string => JSON.stringify({ choices: [{ delta: { content: text }, finish_reason: finish }] });
const reasoning = (text: string): string => JSON.stringify({ choices: [{ delta: { reasoning_content: text } }] });

describe("StreamObserver", () => {
  it("stamps every text chunk with its read's arrival time, relative to origin", () => {
    const o = observer();
    o.responseStart(200, "text/event-stream", ORIGIN + 10);
    o.data(sse('{"choices":[{"delta":{"role":"assistant","content":""}}]}', reasoning("hm")), ORIGIN + 11);
    o.data(sse(content("A"), content("B")), ORIGIN + 12); // two chunks in one read share its time
    expect(o.data(sse(content("", "stop"), "[DONE]"), ORIGIN + 13)).toBe(true);
    expect(o.record()).toEqual({
      id: "0-3",
      level: 0,
      index: 3,
      warmup: false,
      scheduledMs: 5,
      sentMs: 6,
      headersMs: 10,
      firstTokenMs: 11,
      firstContentMs: 12,
      endMs: 13,
      tokenChunkMs: [11, 12, 12],
      outcome: "ok",
      finishReason: "stop",
      targetInputTokens: 20,
      targetOutputTokens: 8,
      outputChars: 4,
    });
    expect(o.text()).toBeUndefined();
  });

  it("keeps the text only when asked", () => {
    const o = observer({ keepText: true });
    o.responseStart(200, "text/event-stream", ORIGIN);
    o.data(sse(reasoning("think "), content("Paris"), "[DONE]"), ORIGIN + 1);
    expect(o.text()).toBe("think Paris");
  });

  it("ignores whatever follows [DONE] or an error", () => {
    const o = observer();
    o.responseStart(200, "text/event-stream", ORIGIN);
    o.data(sse(content("A"), '{"error":{"message":"boom"}}', content("B")), ORIGIN + 1);
    o.data(sse("[DONE]", content("C")), ORIGIN + 2);
    o.end(ORIGIN + 3);
    const r = o.record();
    expect(r.outcome).toBe("error");
    expect(r.error).toEqual({ code: "midstream_error", message: "boom" });
    expect(r.tokenChunkMs).toEqual([1]);
    expect(r.endMs).toBe(1);
  });

  it("accepts a stream that ends after a finish_reason without [DONE]", () => {
    const o = observer();
    o.responseStart(200, "text/event-stream", ORIGIN);
    o.data(sse(content("A", "length")), ORIGIN + 1);
    o.end(ORIGIN + 2);
    expect(o.record()).toMatchObject({ outcome: "ok", finishReason: "length", endMs: 2 });
  });

  it("calls a stream that ends with neither [DONE] nor finish incomplete", () => {
    const o = observer();
    o.responseStart(200, "text/event-stream", ORIGIN);
    o.data(sse(content("A")), ORIGIN + 1);
    o.end(ORIGIN + 2);
    expect(o.record()).toMatchObject({ outcome: "error", error: { code: "incomplete" }, tokenChunkMs: [1] });
  });

  it("delivers a last event that lacks its blank line at end", () => {
    const o = observer();
    o.responseStart(200, "text/event-stream", ORIGIN);
    o.data(Buffer.from(`data: ${content("A")}\n\ndata: [DONE]`), ORIGIN + 1);
    expect(o.settled).toBe(false);
    o.end(ORIGIN + 2);
    expect(o.record()).toMatchObject({ outcome: "ok", endMs: 2 });
  });

  it("calls a clean stream without text empty_response, unless 0 tokens were asked for", () => {
    for (const [target, outcome] of [
      [8, "error"],
      [0, "ok"],
    ] as const) {
      const o = observer({ targetOutputTokens: target });
      o.responseStart(200, "text/event-stream", ORIGIN);
      o.data(sse(content("", "length"), "[DONE]"), ORIGIN + 1);
      expect(o.record().outcome).toBe(outcome);
      if (outcome === "error") expect(o.record().error?.code).toBe("empty_response");
    }
  });

  it("names a non-SSE 200 body", () => {
    const o = observer();
    o.responseStart(200, "application/json", ORIGIN);
    o.data(Buffer.from('{"choices":[]}'), ORIGIN + 1);
    o.end(ORIGIN + 2);
    expect(o.record().error).toEqual({
      code: "bad_sse",
      message: "expected a text/event-stream body, got application/json",
    });
  });

  it("turns a non-2xx response into http_<status> with the parsed message", () => {
    const o = observer();
    o.responseStart(429, "application/json", ORIGIN + 1);
    const body = readWireFixture("tgi-error-429-overloaded.json");
    o.data(body.subarray(0, 10), ORIGIN + 2);
    o.data(body.subarray(10), ORIGIN + 3);
    o.end(ORIGIN + 4);
    expect(o.record()).toMatchObject({
      outcome: "error",
      headersMs: 1,
      endMs: 4,
      error: { code: "http_429", httpStatus: 429, message: "overloaded: Model is overloaded" },
    });
  });

  it("keeps tokens seen before a failure; a failure after finish_reason is still ok", () => {
    const cut = observer();
    cut.responseStart(200, "text/event-stream", ORIGIN);
    cut.data(sse(content("A")), ORIGIN + 1);
    cut.fail("connection", "ECONNRESET: read ECONNRESET", ORIGIN + 2);
    expect(cut.record()).toMatchObject({
      outcome: "error",
      error: { code: "connection", message: "ECONNRESET: read ECONNRESET" },
      tokenChunkMs: [1],
      endMs: 2,
    });
    const late = observer();
    late.responseStart(200, "text/event-stream", ORIGIN);
    late.data(sse(content("A", "stop")), ORIGIN + 1);
    late.fail("connection", "UND_ERR_SOCKET: other side closed", ORIGIN + 2);
    expect(late.record().outcome).toBe("ok");
  });

  it("records timeout as an error and a caller abort as aborted", () => {
    const t = observer();
    t.fail("timeout", "no complete response within 50 ms", ORIGIN + 50);
    expect(t.record()).toMatchObject({ outcome: "error", error: { code: "timeout" }, endMs: 50 });
    const a = observer();
    a.fail("aborted", "aborted by the caller", ORIGIN + 7);
    const record = a.record();
    expect(record.outcome).toBe("aborted");
    expect(record.error).toBeUndefined();
  });

  it("redacts the secret from every error message", () => {
    const o = observer({ secret: "sk-secret-123" });
    o.responseStart(401, "application/json", ORIGIN);
    o.data(Buffer.from('{"error":{"message":"Invalid key sk-secret-123"}}'), ORIGIN + 1);
    o.end(ORIGIN + 2);
    expect(JSON.stringify(o.record())).not.toContain("sk-secret-123");
    expect(o.record().error?.message).toBe("Invalid key [redacted]");
  });
});

describe("StreamObserver: what a hostile server sends", () => {
  it("marks a completion_tokens below the text chunks streamed as impossible usage", () => {
    const o = observer({ targetOutputTokens: undefined });
    o.responseStart(200, "text/event-stream", ORIGIN + 10);
    const usage = JSON.stringify({ choices: [], usage: { prompt_tokens: 20, completion_tokens: 2 } });
    o.data(sse(content("A"), content("B"), content("C", "stop"), usage, "[DONE]"), ORIGIN + 12);
    expect(o.record()).toMatchObject({ outcome: "ok", usageImpossible: "usage.completion_tokens 2 is below the 3 text chunks streamed" });
  });

  it("names a gzip-encoded stream and asks for the connection to be cut", () => {
    const o = observer();
    o.responseStart(200, "text/event-stream", ORIGIN + 10, { contentEncoding: "gzip" });
    expect(o.abandoned).toBe(true);
    expect(o.record().error).toMatchObject({ code: "content_encoding", message: expect.stringMatching(/gzip-encoded stream/) as unknown });
  });

  it("records a redirect with its Location and the hint", () => {
    const o = observer();
    o.responseStart(302, "text/html", ORIGIN + 10, { location: "https://b.example/v1/completions" });
    o.end(ORIGIN + 11);
    expect(o.record().error).toMatchObject({
      code: "http_302",
      httpStatus: 302,
      message: expect.stringMatching(
        /^redirect \(HTTP 302, Location: https:\/\/b\.example\/v1\/completions\); servebench does not follow redirects: point --url at the final address$/,
      ) as unknown,
    });
  });

  it("fails an SSE line past maxEventBytes as sse_too_large", () => {
    const o = observer({ maxEventBytes: 1024 });
    o.responseStart(200, "text/event-stream", ORIGIN + 10);
    expect(o.data(Buffer.from(`data: ${"x".repeat(600)}`), ORIGIN + 11)).toBe(false);
    expect(o.data(Buffer.from("x".repeat(600)), ORIGIN + 12)).toBe(true);
    expect(o.abandoned).toBe(true);
    expect(o.record().error).toMatchObject({ code: "sse_too_large", message: expect.stringMatching(/an SSE line passed 1 KiB/) as unknown });
  });
});

describe("an embeddings answer", () => {
  it("is ok with its prompt usage, and an error when it holds no embedding or is not JSON", () => {
    expect(readEmbeddings('{"object":"list","data":[{"index":0,"embedding":[0.1,0.2]}],"usage":{"prompt_tokens":9,"total_tokens":9}}')).toEqual({
      usage: { promptTokens: 9 },
    });
    expect(readEmbeddings('{"data":[]}')).toMatchObject({ code: "empty_response" });
    expect(readEmbeddings("<html>")).toMatchObject({ code: "bad_json" });
    expect(readEmbeddings('{"error":{"message":"too long","code":400}}')).toMatchObject({ code: "midstream_error" });
  });
});
