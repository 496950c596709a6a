import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { eventParts, readWireFixture, startWireServer, type WireScript, type WireServer } from "../../test/helpers/wire-server.js";
import { monotonicNowMs } from "../clock.js";
import type { RequestSpec } from "../workload/request-spec.js";
import { StreamingClient, type ClientOptions, type SendMeta } from "./http-client.js";
import type { RequestRecord } from "./record.js";

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function serve(script: (body: Record<string, unknown>) => WireScript): Promise<WireServer> {
  const server = await startWireServer((req) => script(JSON.parse(req.body) as Record<string, unknown>));
  open.push(server);
  return server;
}

function client(baseUrl: string, fields: Partial<ClientOptions> = {}): StreamingClient {
  const c = new StreamingClient({
    baseUrl,
    endpoint: "chat",
    model: "test-model",
    timeoutMs: 3000,
    maxConnections: 4,
    ignoreEos: false,
    exactOutput: true,
    ...fields,
  });
  open.push(c);
  return c;
}

const spec: RequestSpec = {
  index: 2,
  messages: [{ role: "user", content: "What is the capital of France?" }],
  inputTokens: 20,
  targetOutputTokens: 8,
};
const originMs = monotonicNowMs();
const meta = (id = "1-2"): SendMeta => ({
  id,
  level: 1,
  warmup: false,
  scheduledMs: monotonicNowMs() - originMs,
  originMs,
});

/** Accepts connections and never answers. */
async function silentServer(): Promise<{ url: string }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  open.push({
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const fixture = (name: string): WireScript => ({ parts: eventParts(readWireFixture(name)) });

function expectMonotone(r: RequestRecord): void {
  const times = [r.scheduledMs, r.sentMs, r.headersMs ?? r.sentMs, ...r.tokenChunkMs, r.endMs];
  for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] ?? 0);
  if (r.firstTokenMs !== undefined) expect(r.firstTokenMs).toBe(r.tokenChunkMs[0]);
}

describe("StreamingClient against a live server", () => {
  it("posts the OpenAI body to /v1/chat/completions and records a full stream", async () => {
    const server = await serve(() => fixture("vllm-chat-usage.sse.txt"));
    const { record, text } = await client(`${server.url}/v1/`).send(spec, meta());
    const req = server.requests[0];
    expect(req?.url).toBe("/v1/chat/completions");
    expect(JSON.parse(req?.body ?? "")).toEqual({
      model: "test-model",
      messages: spec.messages,
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      min_tokens: 8,
      ignore_eos: true,
    });
    expect(text).toBeUndefined();
    expect(record).toMatchObject({
      id: "1-2",
      level: 1,
      index: 2,
      warmup: false,
      outcome: "ok",
      finishReason: "stop",
      usage: { promptTokens: 20, completionTokens: 8 },
      targetInputTokens: 20,
      targetOutputTokens: 8,
      outputChars: "The capital of France is Paris.".length,
    });
    expect(record.tokenChunkMs).toHaveLength(7);
    expect(record.error).toBeUndefined();
    expectMonotone(record);
  });

  it("stamps reads as they arrive: chunks sent 15 ms apart are not all stamped at once", async () => {
    const server = await serve(() => ({ parts: eventParts(readWireFixture("tgi-chat.sse.txt"), 15) }));
    const { record } = await client(server.url, { endpoint: "completions" }).send({ ...spec, prompt: "x" }, meta());
    expect(server.requests[0]?.url).toBe("/v1/completions");
    expect(record.outcome).toBe("ok");
    expect(record.tokenChunkMs).toHaveLength(7);
    expectMonotone(record);
    // A loaded machine may deliver two writes in one read (equal stamps), so no gap size is
    // asserted; per-read stamping itself is tested exactly in stream-observer.test.ts.
    expect(new Set(record.tokenChunkMs).size).toBeGreaterThan(1);
    expect(record.firstTokenMs).toBeGreaterThan(record.headersMs ?? Infinity);
  });

  it("reuses keep-alive connections across requests", async () => {
    const server = await serve(() => fixture("llamacpp-chat.sse.txt"));
    const c = client(server.url, { maxConnections: 1 });
    for (let i = 0; i < 3; i++) expect((await c.send(spec, meta(`1-${i}`))).record.outcome).toBe("ok");
    expect(server.connections()).toBe(1);
  });

  it("returns the generated text with keepText", async () => {
    const server = await serve(() => fixture("vllm-chat-reasoning.sse.txt"));
    const { record, text } = await client(server.url, { keepText: true }).send(spec, meta());
    expect(record.outcome).toBe("ok");
    expect(text).toMatch(/^\nOkay, the user is asking.*\n\n\nThe capital of France is Paris\.$/s);
    expect(record.outputChars).toBe(text?.length);
    expect(record.firstContentMs).toBeGreaterThanOrEqual(record.firstTokenMs ?? Infinity);
  });

  it("keeps text per request when the send says so, whatever the client's default", async () => {
    const server = await serve(() => fixture("vllm-chat-reasoning.sse.txt"));
    const keeping = client(server.url, { keepText: true });
    expect((await keeping.send(spec, { ...meta("1-0"), keepText: false })).text).toBeUndefined();
    expect((await client(server.url).send(spec, { ...meta("1-1"), keepText: true })).text).toMatch(/Paris\.$/);
  });

  it("survives keep-alive comments and no-space framing (TGI)", async () => {
    const server = await serve(() => fixture("tgi-chat-keepalive.sse.txt"));
    const { record } = await client(server.url).send(spec, meta());
    expect(record).toMatchObject({ outcome: "ok", finishReason: "stop" });
    expect(record.tokenChunkMs).toHaveLength(7);
  });

  it("sends the API key as a bearer header and never records it", async () => {
    const key = "sk-test-very-secret";
    const server = await serve(() => ({
      status: 401,
      parts: [{ data: `{"error":{"message":"Incorrect API key provided: ${key}","type":"invalid_request_error"}}` }],
    }));
    const { record } = await client(server.url, { apiKey: key }).send(spec, meta());
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
    expect(record).toMatchObject({ outcome: "error", error: { code: "http_401", httpStatus: 401 } });
    expect(JSON.stringify(record)).not.toContain(key);
  });

  it("sends no authorization header without a key", async () => {
    const server = await serve(() => fixture("vllm-chat.sse.txt"));
    await client(server.url).send(spec, meta());
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it.each([
    [400, "vllm-error-400-context-length.json", "BadRequestError: This model's maximum context length"],
    [404, "vllm-error-404-model.json", "NotFoundError: The model `gpt-4o` does not exist."],
    [422, "tgi-error-422-validation.json", "validation: Input validation error"],
    [429, "tgi-error-429-overloaded.json", "overloaded: Model is overloaded"],
    [503, "llamacpp-error-503-loading.json", "unavailable_error: Loading model"],
  ])("records HTTP %i as http_<status> with the server's message", async (status, file, message) => {
    const server = await serve(() => ({ status, parts: [{ data: readWireFixture(file) }] }));
    const { record } = await client(server.url).send(spec, meta());
    expect(record.outcome).toBe("error");
    expect(record.error?.code).toBe(`http_${status}`);
    expect(record.error?.httpStatus).toBe(status);
    expect(record.error?.message.startsWith(message)).toBe(true);
    expect(record.tokenChunkMs).toEqual([]);
  });

  it("records a 500 with a plain-text body", async () => {
    const server = await serve(() => ({ status: 500, contentType: "text/plain", parts: [{ data: "Internal Server Error" }] }));
    const { record } = await client(server.url).send(spec, meta());
    expect(record.error).toEqual({ code: "http_500", httpStatus: 500, message: "Internal Server Error" });
  });

  it.each([
    ["vllm-chat-error-midstream.sse.txt", 3],
    ["llamacpp-chat-error-midstream.sse.txt", 3],
    ["tgi-chat-error-overloaded.sse.txt", 0],
    ["vllmrs-chat-error-raw.sse.txt", 2],
  ])("records a mid-stream error in %s and keeps the tokens before it", async (name, tokens) => {
    const server = await serve(() => fixture(name));
    const { record } = await client(server.url).send(spec, meta());
    expect(record.outcome).toBe("error");
    expect(record.error?.code).toBe("midstream_error");
    expect(record.tokenChunkMs).toHaveLength(tokens);
    expectMonotone(record);
  });

  it("reports a connection reset mid-stream as a connection error, keeping tokens", async () => {
    const events = eventParts(readWireFixture("vllm-chat.sse.txt"));
    // The pause lets the tokens reach the client before the RST (which drops unread data).
    const parts = [...events.slice(0, 4), { data: "", delayMs: 50 }];
    const server = await serve(() => ({ parts, then: "reset" }));
    const { record } = await client(server.url).send(spec, meta());
    expect(record.outcome).toBe("error");
    expect(record.error?.code).toBe("connection");
    expect(record.error?.message).toMatch(/ECONNRESET|E_PEER_CLOSED/);
    expect(record.tokenChunkMs).toHaveLength(3);
  });

  it("reports a server that closes mid-stream as a connection error", async () => {
    const events = eventParts(readWireFixture("vllm-chat.sse.txt"));
    const server = await serve(() => ({ parts: events.slice(0, 2), then: "close" }));
    const { record } = await client(server.url).send(spec, meta());
    expect(record.error?.code).toBe("connection");
    expect(record.error?.message).toMatch(/ECONNRESET|E_PEER_CLOSED/);
  });

  it("accepts a stream that ends after finish_reason without [DONE]", async () => {
    const events = eventParts(readWireFixture("vllmrs-chat-usage.sse.txt"));
    const server = await serve(() => ({ parts: events.slice(0, -1) }));
    const { record } = await client(server.url).send(spec, meta());
    expect(record).toMatchObject({ outcome: "ok", finishReason: "stop", usage: { completionTokens: 8 } });
  });

  it("names a 200 answer that is not an event stream", async () => {
    const body = '{"choices":[{"message":{"role":"assistant","content":"Hi"}}]}';
    const server = await serve(() => ({ contentType: "application/json", parts: [{ data: body }] }));
    const { record } = await client(server.url).send(spec, meta());
    expect(record.error).toEqual({
      code: "bad_sse",
      message: "expected a text/event-stream body, got application/json",
    });
  });

  it("calls a stream cut short without [DONE] or finish incomplete", async () => {
    const events = eventParts(readWireFixture("vllm-chat.sse.txt"));
    const server = await serve(() => ({ parts: events.slice(0, 3) }));
    const { record } = await client(server.url).send(spec, meta());
    expect(record.error?.code).toBe("incomplete");
  });

  it("calls a clean stream without text empty_response", async () => {
    const server = await serve(() => ({ parts: [{ data: 'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n' }] }));
    const { record } = await client(server.url).send(spec, meta());
    expect(record.error?.code).toBe("empty_response");
  });

  it("times out a stalled stream, keeping the tokens seen", async () => {
    const events = eventParts(readWireFixture("vllm-chat.sse.txt"));
    const server = await serve(() => ({ parts: events.slice(0, 3), then: "stall" }));
    const { record } = await client(server.url, { timeoutMs: 300 }).send(spec, meta());
    expect(record.outcome).toBe("error");
    expect(record.error).toEqual({ code: "timeout", message: "no complete response within 300 ms" });
    expect(record.tokenChunkMs).toHaveLength(2);
    expect(record.endMs - record.sentMs).toBeGreaterThanOrEqual(290);
  });

  it("times out a server that never sends headers", async () => {
    const silent = await silentServer();
    const { record } = await client(silent.url, { timeoutMs: 200 }).send(spec, meta());
    expect(record.error?.code).toBe("timeout");
    expect(record.headersMs).toBeUndefined();
  });

  it("records aborted when the caller aborts mid-stream, and before sending", async () => {
    const events = eventParts(readWireFixture("vllm-chat.sse.txt"));
    const server = await serve(() => ({ parts: events.slice(0, 3), then: "stall" }));
    const c = client(server.url);
    const controller = new AbortController();
    const pending = c.send(spec, meta(), controller.signal);
    setTimeout(() => controller.abort(), 100);
    const { record } = await pending;
    expect(record.outcome).toBe("aborted");
    expect(record.error).toBeUndefined();
    expect(record.tokenChunkMs).toHaveLength(2);

    const before = await c.send(spec, meta(), AbortSignal.abort());
    expect(before.record.outcome).toBe("aborted");
    expect(server.requests).toHaveLength(1);
  });

  it("aborts many requests sharing one signal", async () => {
    const server = await serve(() => ({ parts: [], then: "stall" }));
    const c = client(server.url, { maxConnections: 2 });
    const controller = new AbortController();
    // 6 requests on 2 connections: 4 wait in the pool queue and must be aborted there too.
    const pending = Array.from({ length: 6 }, (_, i) => c.send(spec, meta(`1-${i}`), controller.signal));
    setTimeout(() => controller.abort(), 100);
    const records = await Promise.all(pending);
    expect(records.map((r) => r.record.outcome)).toEqual(Array(6).fill("aborted"));
    expect(server.requests.length).toBeLessThanOrEqual(2);
  });

  it("reports an unreachable port as a connection error naming the errno", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const address = probe.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { record } = await client(`http://127.0.0.1:${port}`).send(spec, meta());
    expect(record.outcome).toBe("error");
    expect(record.error?.code).toBe("connection");
    expect(record.error?.message).toContain("ECONNREFUSED");
    expect(record.headersMs).toBeUndefined();
  });
});
