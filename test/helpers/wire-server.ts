// Owns a scriptable fake OpenAI-style HTTP server on 127.0.0.1 port 0 for client tests:
// replays wire fixtures with delays, status codes, resets and stalls. Shares no code with
// src/client (an SSE bug must not hide by being on both sides).

import { readFileSync, readdirSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { fileURLToPath } from "node:url";

const WIRE_DIR = fileURLToPath(new URL("../fixtures/wire/", import.meta.url));

/** Names of every `*.sse.txt` fixture. */
export function sseFixtureNames(): string[] {
  return readdirSync(WIRE_DIR)
    .filter((name) => name.endsWith(".sse.txt"))
    .sort();
}

export function readWireFixture(name: string): Buffer {
  return readFileSync(WIRE_DIR + name);
}

export interface WirePart {
  data: string | Buffer;
  /** Wait this long before writing the part. */
  delayMs?: number;
}

export interface WireScript {
  /** Default 200. */
  status?: number;
  /** Default: text/event-stream for 2xx, application/json otherwise. */
  contentType?: string;
  parts: WirePart[];
  /** After the parts: end the response (default), reset the socket, or leave it hanging. */
  then?: "end" | "reset" | "close" | "stall";
}

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Index of the TCP connection it arrived on (0-based, in accept order). */
  connection: number;
}

export interface WireServer {
  /** "http://127.0.0.1:<port>" */
  url: string;
  requests: CapturedRequest[];
  /** Number of TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Splits an SSE body into one part per event (each keeps its blank line), `delayMs` apart. */
export function eventParts(body: string | Buffer, delayMs = 0): WirePart[] {
  const text = typeof body === "string" ? body : body.toString("utf8");
  const events = text.split(/(?<=\n\n)/).filter((e) => e.length > 0);
  return events.map((data) => ({ data, delayMs }));
}

export async function startWireServer(script: (req: CapturedRequest) => WireScript): Promise<WireServer> {
  const requests: CapturedRequest[] = [];
  const sockets = new Set<Socket>();
  const socketIds = new WeakMap<Socket, number>();
  let accepted = 0;
  const server: Server = createServer((req, res) => {
    const pieces: Buffer[] = [];
    req.on("data", (piece: Buffer) => pieces.push(piece));
    req.on("end", () => {
      const captured: CapturedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(pieces).toString("utf8"),
        connection: socketIds.get(req.socket) ?? -1,
      };
      requests.push(captured);
      void play(script(captured), res);
    });
  });
  server.on("connection", (socket) => {
    socketIds.set(socket, accepted++);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function play(script: WireScript, res: ServerResponse): Promise<void> {
  const status = script.status ?? 200;
  const contentType = script.contentType ?? (status < 300 ? "text/event-stream" : "application/json");
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-cache" });
  res.flushHeaders();
  for (const part of script.parts) {
    if (part.delayMs !== undefined && part.delayMs > 0) await sleep(part.delayMs);
    if (res.destroyed) return;
    res.write(part.data);
  }
  const then = script.then ?? "end";
  if (then === "end") res.end();
  else if (then === "reset") res.socket?.resetAndDestroy();
  else if (then === "close") res.socket?.destroy();
  // "stall": leave the response open; close() destroys the socket.
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
