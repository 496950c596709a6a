// The client's own keep-alive reuse is never charged to the server: a request that fails on a
// reused socket before any response byte is sent again once on a fresh connection (llama.cpp
// closes after every stream while advertising Keep-Alive); a fresh connection that fails is not.

import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { monotonicNowMs } from "../clock.js";
import type { RequestSpec } from "../workload/request-spec.js";
import { CONNECTION_POLICY, failedOnReusedSocket, StreamingClient } from "./http-client.js";

const SSE =
  'data: {"choices":[{"index":0,"text":"Hi","finish_reason":null}]}\n\n' +
  'data: {"choices":[{"index":0,"text":"","finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}\n\ndata: [DONE]\n\n';
const RESPONSE =
  "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nKeep-Alive: timeout=5, max=100\r\nTransfer-Encoding: chunked\r\n\r\n" +
  `${Buffer.byteLength(SSE).toString(16)}\r\n${SSE}\r\n0\r\n\r\n`;

const servers: Server[] = [];
const clients: StreamingClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/**
 * Answers the first request of every connection; a later request on the same connection is
 * dropped unread (`reused: "drop"`), as a server that closed the socket meanwhile would. With
 * `fresh: "drop"` every connection is dropped at its first request.
 */
async function server(mode: { reused: "drop" | "answer"; fresh?: "drop" }): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const srv = createServer((socket: Socket) => {
    connections++;
    let requests = 0;
    let buffered = "";
    socket.on("data", (d: Buffer) => {
      buffered += d.toString("latin1");
      // One request per JSON body; the client sends Content-Length bodies.
      while (buffered.includes("\r\n\r\n")) {
        const head = buffered.slice(0, buffered.indexOf("\r\n\r\n"));
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        const total = head.length + 4 + length;
        if (buffered.length < total) return;
        buffered = buffered.slice(total);
        requests++;
        if ((requests === 1 && mode.fresh === "drop") || (requests > 1 && mode.reused === "drop")) return void socket.destroy();
        socket.write(RESPONSE);
      }
    });
    socket.on("error", () => undefined);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, connections: () => connections };
}

function client(url: string): StreamingClient {
  const c = new StreamingClient({ baseUrl: url, endpoint: "completions", model: "m", timeoutMs: 5000, maxConnections: 1, ignoreEos: false, exactOutput: true });
  clients.push(c);
  return c;
}

const spec: RequestSpec = { index: 0, prompt: "Hi", inputTokens: 3, targetOutputTokens: 1 };
const originMs = monotonicNowMs();
const meta = (id: string) => ({ id, level: 0, warmup: false, scheduledMs: monotonicNowMs() - originMs, originMs });

describe("connection reuse", () => {
  it("a request dropped on a reused keep-alive socket is sent again on a fresh one, recorded as a client retry", async () => {
    const s = await server({ reused: "drop" });
    const c = client(s.url);
    const records = [];
    for (let i = 0; i < 4; i++) records.push((await c.send(spec, meta(`0-${i}`))).record);
    expect(records.map((r) => r.outcome)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(records[0]?.clientRetry).toBeUndefined();
    for (const r of records.slice(1)) expect(r.clientRetry).toMatch(/E_PEER_CLOSED|ECONNRESET|EPIPE/);
    expect(s.connections()).toBe(4);
  });

  it("answers on a reused socket need no retry", async () => {
    const s = await server({ reused: "answer" });
    const c = client(s.url);
    for (let i = 0; i < 3; i++) expect((await c.send(spec, meta(`0-${i}`))).record.clientRetry).toBeUndefined();
    expect(s.connections()).toBe(1);
  });

  it("a fresh connection dropped before any byte is the server's failure: recorded, not retried", async () => {
    const s = await server({ reused: "answer", fresh: "drop" });
    const { record } = await client(s.url).send(spec, meta("0-0"));
    expect(record.outcome).toBe("error");
    expect(record.error?.code).toBe("connection");
    expect(record.clientRetry).toBeUndefined();
    expect(s.connections()).toBe(1);
  });

  it("tells a reused socket by the bytes it read before the failure", () => {
    const err = (code: string, bytesRead?: number) => Object.assign(new Error("x"), { code, ...(bytesRead === undefined ? {} : { socket: { bytesRead } }) });
    expect(failedOnReusedSocket(err("UND_ERR_SOCKET", 512))).toBe(true);
    expect(failedOnReusedSocket(err("ECONNRESET", 10))).toBe(true);
    expect(failedOnReusedSocket(err("UND_ERR_SOCKET", 0))).toBe(false);
    expect(failedOnReusedSocket(err("ECONNREFUSED", 512))).toBe(false);
    expect(failedOnReusedSocket(err("ECONNRESET"))).toBe(false);
    expect(CONNECTION_POLICY.retry).toMatch(/once/);
  });
});
