// The HTTP/1.1 pool against scripted raw TCP servers on loopback: every framing (chunked split at
// every byte, Content-Length, close-delimited), 1xx heads, keep-alive reuse and its limits,
// queueing beyond the pool size, protocol errors, aborts and close().

import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Http1Pool, parseHead, type Http1Controller, type Http1Handler } from "./http1-pool.js";

const servers: Server[] = [];
const pools: Http1Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  for (const s of servers.splice(0)) s.close();
});

interface Seen {
  connections: number;
  /** Most sockets open at once. */
  peakOpen: number;
  requests: string[];
}

/** Calls `respond` with each complete request (head + Content-Length body) and its connection's request number. */
async function rawServer(respond: (socket: Socket, request: string, nth: number) => void): Promise<{ url: URL; seen: Seen }> {
  const seen: Seen = { connections: 0, peakOpen: 0, requests: [] };
  let open = 0;
  const srv = createServer((socket) => {
    seen.connections++;
    seen.peakOpen = Math.max(seen.peakOpen, ++open);
    socket.on("close", () => open--);
    socket.on("error", () => undefined);
    let buffered = "";
    let nth = 0;
    socket.on("data", (d: Buffer) => {
      buffered += d.toString("latin1");
      for (;;) {
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const request = buffered.slice(0, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        seen.requests.push(request);
        respond(socket, request, nth++);
      }
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { url: new URL(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`), seen };
}

interface Outcome {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body: string;
  reads: number;
  ended: boolean;
  error?: Error & { code?: string };
}

/** Sends one request and resolves when it ended or failed; `onData` may abort. */
function send(pool: Http1Pool, body = "{}", onData?: (controller: Http1Controller, seen: Outcome) => void, fresh = false): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { body: "", reads: 0, ended: false };
    const handler: Http1Handler = {
      onRequestStart: () => undefined,
      onResponseStart: (_c, status, headers) => {
        out.status = status;
        out.headers = headers;
      },
      onResponseData: (c, chunk) => {
        out.body += chunk.toString("utf8");
        out.reads++;
        onData?.(c, out);
      },
      onResponseEnd: () => {
        out.ended = true;
        resolve(out);
      },
      onResponseError: (_c, error) => {
        out.error = error;
        resolve(out);
      },
    };
    pool.dispatch({ path: "/v1/completions", method: "POST", headers: { "content-type": "application/json" }, body, fresh }, handler);
  });
}

function pool(url: URL, connections = 4): Http1Pool {
  const p = new Http1Pool(url, { connections });
  pools.push(p);
  return p;
}

const chunked = (parts: string[]): string =>
  "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" +
  parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join("") +
  "0\r\n\r\n";

describe("Http1Pool", () => {
  it("writes one request with host, keep-alive and the body's byte length", async () => {
    const { url, seen } = await rawServer((s) => s.write("HTTP/1.1 204 No Content\r\n\r\n"));
    const out = await send(pool(url), '{"prompt":"é"}');
    expect(out.status).toBe(204);
    expect(out.ended).toBe(true);
    // The server reads bytes as latin1: "é" is two bytes, both counted in content-length.
    const expected = `POST /v1/completions HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n{"prompt":"é"}`;
    expect(seen.requests[0]).toBe(Buffer.from(expected, "utf8").toString("latin1"));
  });

  it("decodes a chunked body split at every byte boundary into the same bytes", async () => {
    const parts = ['data: {"a":1}\n\n', "data: [DONE]\n\n"];
    const wire = Buffer.from(chunked(parts) + "", "latin1");
    for (let cut = 1; cut < wire.length; cut += 1) {
      const { url } = await rawServer((s) => {
        s.write(wire.subarray(0, cut));
        setTimeout(() => s.write(wire.subarray(cut)), 1);
      });
      const out = await send(pool(url, 1));
      expect(out.error, `cut at ${cut}`).toBeUndefined();
      expect(out.body, `cut at ${cut}`).toBe(parts.join(""));
    }
  });

  it("skips chunk extensions and trailers, and reuses the socket after them", async () => {
    const wire = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-usage\r\n\r\n5;name=value\r\nhello\r\n1\r\n!\r\n0\r\nx-usage: 7\r\n\r\n";
    const { url, seen } = await rawServer((s) => s.write(wire));
    const p = pool(url, 1);
    expect(await send(p)).toMatchObject({ ended: true, body: "hello!" });
    expect(await send(p)).toMatchObject({ ended: true, body: "hello!" });
    expect(seen.connections).toBe(1);
  });

  it("reads a Content-Length body, reuses the socket, and skips a 100 Continue head", async () => {
    const { url, seen } = await rawServer((s, _r, nth) => {
      const body = `{"n":${nth}}`;
      s.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    });
    const p = pool(url, 1);
    expect((await send(p)).body).toBe('{"n":0}');
    const second = await send(p);
    expect(second.status).toBe(200);
    expect(second.body).toBe('{"n":1}');
    expect(seen.connections).toBe(1);
  });

  it("reads a close-delimited body to the end and does not reuse that socket; nor one that said connection: close", async () => {
    const { url, seen } = await rawServer((s, _r, nth) => {
      if (nth > 0) throw new Error("a socket was reused");
      s.end("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata: x\n\n");
    });
    const p = pool(url, 1);
    const out = await send(p);
    expect(out).toMatchObject({ ended: true, body: "data: x\n\n" });
    await send(p);
    expect(seen.connections).toBe(2);

    const closing = await rawServer((s) => s.write("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok"));
    const q = pool(closing.url, 1);
    expect((await send(q)).body).toBe("ok");
    expect((await send(q)).body).toBe("ok");
    expect(closing.seen.connections).toBe(2);
  });

  it("a socket the server closed right behind its response (llama.cpp's keep-alive) fails as a reused one, and a fresh resend succeeds", async () => {
    const { url } = await rawServer((s) => s.end("HTTP/1.1 200 OK\r\nconnection: keep-alive\r\ncontent-length: 2\r\n\r\nok"));
    const p = pool(url, 1);
    for (let i = 0; i < 20; i++) {
      let out = await send(p);
      if (out.error !== undefined) {
        // What the client's retry rule (failedOnReusedSocket) needs: no response yet, bytes read before.
        expect(out.status, `request ${i}`).toBeUndefined();
        expect(out.error.code, `request ${i}`).toMatch(/^(E_PEER_CLOSED|ECONNRESET|EPIPE)$/);
        expect((out.error as { socket?: { bytesRead: number } }).socket?.bytesRead, `request ${i}`).toBeGreaterThan(0);
        out = await send(p, "{}", undefined, true);
      }
      expect(out.body, `request ${i}`).toBe("ok");
    }
  });

  it("sends a `fresh` request on a new socket even when one is idle", async () => {
    const { url, seen } = await rawServer((s) => s.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
    const p = pool(url, 1);
    await send(p);
    expect((await send(p, "{}", undefined, true)).body).toBe("ok");
    expect(seen.connections).toBe(2);
  });

  it("keeps at most `connections` sockets and runs the rest in order as sockets free up", async () => {
    const { url, seen } = await rawServer((s, req) => {
      const body = /"i":(\d+)/.exec(req)?.[1] ?? "?";
      setTimeout(() => s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`), 5);
    });
    const p = pool(url, 2);
    const outs = await Promise.all(Array.from({ length: 7 }, (_, i) => send(p, `{"i":${i}}`)));
    expect(outs.map((o) => o.body)).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
    expect(seen.peakOpen).toBeLessThanOrEqual(2);
    expect(seen.connections).toBe(2);
  });

  it("names a malformed status line, a bad chunk size and a server that closes mid-body", async () => {
    const cases: Array<[string, RegExp, string]> = [
      ["SPDY/3 200 OK\r\n\r\n", /not an HTTP\/1\.x status line/, "E_HTTP_PROTOCOL"],
      ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", /bad chunk size "zz"/, "E_HTTP_PROTOCOL"],
      ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabcX", /not followed by CRLF/, "E_HTTP_PROTOCOL"],
      ["HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc", /other side closed/, "E_PEER_CLOSED"],
    ];
    for (const [wire, message, code] of cases) {
      const { url } = await rawServer((s) => s.end(wire));
      const out = await send(pool(url));
      expect(out.error?.message, wire).toMatch(message);
      expect(out.error?.code, wire).toBe(code);
      expect(out.ended).toBe(false);
    }
  });

  it("reports a refused connection with its errno and nothing read", async () => {
    const { url } = await rawServer(() => undefined);
    servers.pop()?.close();
    await new Promise((r) => setTimeout(r, 20));
    const out = await send(pool(url));
    expect(out.error?.code).toBe("ECONNREFUSED");
    expect((out.error as { socket?: { bytesRead: number } }).socket?.bytesRead).toBe(0);
  });

  it("aborts a request mid-body: the handler hears the reason once, and the pool serves the next request", async () => {
    let requests = 0;
    const { url, seen } = await rawServer((s) => {
      if (requests++ === 0)
        s.write(chunked(["a", "b"]).slice(0, -5)); // never ends
      else s.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    });
    const p = pool(url, 1);
    const reason = new Error("stop here");
    const out = await send(p, "{}", (c, seen) => {
      if (seen.reads === 1) c.abort(reason);
    });
    expect(out.error).toBe(reason);
    expect(out.body).toBe("a");
    expect((await send(p)).body).toBe("ok");
    expect(seen.connections).toBe(2);
  });

  it("close() waits for in-flight requests, then refuses new ones", async () => {
    const { url } = await rawServer((s) => setTimeout(() => s.write("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nlate"), 30));
    const p = new Http1Pool(url, { connections: 2 });
    const inFlight = send(p);
    await p.close();
    expect((await inFlight).body).toBe("late");
    await expect(send(p)).rejects.toThrow(/closed/);
  });

  it("parses a head: lower-cased names, repeated headers as a list", () => {
    expect(parseHead("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nSet-Cookie: a\r\nset-cookie: b")).toEqual({
      version: "1.1",
      statusCode: 429,
      headers: { "retry-after": "2", "set-cookie": ["a", "b"] },
    });
    expect(parseHead("HTTP/1.1 200 OK\r\nno colon here")).toMatch(/malformed header line/);
  });
});
