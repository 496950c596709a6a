// Test helper: tiny misbehaving "inference servers" on 127.0.0.1 port 0, written on raw TCP so
// every byte (and every missing byte) is under the test's control. Only the completion POST
// misbehaves; the side routes (/v1/models, /health, /version, /metrics) answer 404 at once,
// except where the case is about the socket itself (never-read).

import { createServer, type Server, type Socket } from "node:net";
import { gzipSync } from "node:zlib";

export type HostileKind =
  | "huge-line"
  | "never-ends"
  | "invalid-utf8"
  | "bad-json"
  | "html-200"
  | "no-headers"
  | "reset-midway"
  | "absurd-usage"
  | "after-done"
  | "gzip"
  | "redirect"
  | "rate-limited"
  | "never-read";

export interface HostileServer {
  url: string;
  /** Completion requests received. */
  completions: () => number;
  close: () => Promise<void>;
}

const SSE_HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n";
const TOKENS = 8;

function chunk(text: string, extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({ id: "cmpl-hostile", object: "text_completion", choices: [{ index: 0, text, finish_reason: null }], ...extra })}\n\n`;
}

function finish(usage: Record<string, unknown> = { prompt_tokens: 8, completion_tokens: TOKENS }): string {
  return `data: ${JSON.stringify({ id: "cmpl-hostile", choices: [{ index: 0, text: "", finish_reason: "length" }], usage })}\n\n`;
}

/** A well-formed stream of TOKENS tokens, ending in [DONE]. */
function goodStream(usage?: Record<string, unknown>): string {
  let body = "";
  for (let i = 0; i < TOKENS; i++) body += chunk(` t${i}`);
  return `${body}${finish(usage)}data: [DONE]\n\n`;
}

function notFound(socket: Socket): void {
  socket.end("HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
}

/** Writes `total` bytes of one never-terminated `data:` line in 1 MiB pieces, honouring back-pressure. */
function writeHugeLine(socket: Socket, total: number): void {
  const piece = Buffer.alloc(1024 * 1024, 0x78); // "x"
  let sent = 0;
  const pump = (): void => {
    while (sent < total && !socket.destroyed) {
      sent += piece.length;
      if (!socket.write(piece)) return void socket.once("drain", pump);
    }
    socket.end();
  };
  socket.write(`${SSE_HEAD}data: {"choices":[{"index":0,"text":"`);
  pump();
}

function misbehave(kind: HostileKind, socket: Socket, timers: Set<NodeJS.Timeout>, otherUrl: string, seq: number): void {
  switch (kind) {
    case "huge-line":
      return writeHugeLine(socket, 50 * 1024 * 1024);
    case "never-ends": {
      socket.write(SSE_HEAD);
      const timer = setInterval(() => socket.write(chunk(" more")), 50);
      timers.add(timer);
      socket.once("close", () => clearInterval(timer));
      return;
    }
    case "invalid-utf8": {
      const bad = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]);
      const parts: Buffer[] = [Buffer.from(SSE_HEAD)];
      for (let i = 0; i < TOKENS; i++) parts.push(Buffer.from('data: {"choices":[{"index":0,"text":"'), bad, Buffer.from(`${i}","finish_reason":null}]}\n\n`));
      parts.push(Buffer.from(`${finish()}data: [DONE]\n\n`));
      socket.end(Buffer.concat(parts));
      return;
    }
    case "bad-json":
      socket.end(`${SSE_HEAD}${chunk(" ok")}data: {not json\n\ndata: [DONE]\n\n`);
      return;
    case "html-200": {
      const html = "<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>";
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${html.length}\r\nconnection: close\r\n\r\n${html}`);
      return;
    }
    case "no-headers":
      return; // the request was read; nothing is ever written
    case "reset-midway": {
      // Chunked framing, as real servers stream: the client can tell a cut body from an ended one.
      let body = "";
      for (let i = 0; i < TOKENS / 2; i++) body += chunk(` t${i}`);
      const head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
      socket.write(`${head}${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n`, () => {
        const timer = setTimeout(() => socket.resetAndDestroy(), 50);
        timers.add(timer);
      });
      return;
    }
    case "absurd-usage": {
      // Every other request claims a trillion tokens, the rest a negative count.
      const flip = seq % 2 === 1;
      socket.end(`${SSE_HEAD}${goodStream({ prompt_tokens: flip ? -5 : 8, completion_tokens: flip ? -3 : 1e12 })}`);
      return;
    }
    case "after-done":
      socket.end(
        `${SSE_HEAD}${goodStream()}${chunk(" ghost")}data: {"choices":[{"index":0,"text":"","finish_reason":"stop"}],"usage":{"completion_tokens":999}}\n\n`,
      );
      return;
    case "gzip": {
      const body = gzipSync(goodStream());
      socket.end(
        Buffer.concat([
          Buffer.from(
            `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-encoding: gzip\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`,
          ),
          body,
        ]),
      );
      return;
    }
    case "redirect":
      socket.end(`HTTP/1.1 302 Found\r\nlocation: ${otherUrl}/v1/completions\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
      return;
    case "rate-limited": {
      const body = JSON.stringify({ error: { message: "rate limit exceeded", type: "rate_limit_error", code: 429 } });
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nretry-after: 3600\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    case "never-read":
      return; // handled at accept
  }
}

/** Reads one request head (and its content-length body) from `socket`, then calls `onRequest`. */
function readRequest(socket: Socket, onRequest: (method: string, path: string) => void): void {
  let buffered = Buffer.alloc(0);
  const onData = (data: Buffer): void => {
    buffered = Buffer.concat([buffered, data]);
    const headEnd = buffered.indexOf("\r\n\r\n");
    if (headEnd === -1) return;
    const head = buffered.subarray(0, headEnd).toString("latin1");
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (buffered.length < headEnd + 4 + length) return;
    socket.off("data", onData);
    const [method = "", path = ""] = head.split(" ");
    onRequest(method, path);
  };
  socket.on("data", onData);
}

export async function startHostileServer(kind: HostileKind): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let completions = 0;
  // The 302 points at a second port that only ever answers 404.
  const other: Server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
    readRequest(s, () => notFound(s));
  });
  await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
  const otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (kind === "never-read") {
      socket.pause();
      return;
    }
    readRequest(socket, (method, path) => {
      if (method === "POST" && /\/v1\/(chat\/)?completions$/.test(path)) {
        completions++;
        misbehave(kind, socket, timers, otherUrl, completions);
      } else {
        notFound(socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    completions: () => completions,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => other.close(r))]);
    },
  };
}
