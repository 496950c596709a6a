// Test helper: a tiny HTTP server on 127.0.0.1 port 0 whose every answer is a handler the test
// writes (statuses, headers, trickles, floods, dying mid-run). Shares no code with src/client.
// close() destroys open sockets and stops pending timers, so no test leaves anything behind.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface BrokenServer {
  url: string;
  port: number;
  /** Requests received so far, by path. */
  hits: Map<string, number>;
  /** Stop listening and drop every connection (a server that dies mid-run). */
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, server: BrokenServer) => void;

export async function startBrokenServer(handler: Handler): Promise<BrokenServer> {
  const sockets = new Set<Socket>();
  const hits = new Map<string, number>();
  let closed: Promise<void> | undefined;
  const http: Server = createServer((req, res) => {
    const pieces: Buffer[] = [];
    req.on("data", (p: Buffer) => pieces.push(p));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      hits.set(path, (hits.get(path) ?? 0) + 1);
      handler(req, res, Buffer.concat(pieces).toString("utf8"), server);
    });
  });
  http.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const { port } = http.address() as AddressInfo;
  const server: BrokenServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        http.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
  return server;
}

/** One OpenAI-style streamed completion: `chunks` text chunks, then usage and [DONE]. */
export function completionStream(chunks: number, usage: { prompt_tokens: number; completion_tokens: number }): string {
  const parts: string[] = [];
  for (let i = 0; i < chunks; i++) {
    parts.push(
      `data: ${JSON.stringify({ id: "cmpl-1", object: "text_completion", choices: [{ index: 0, text: ` t${i}`, finish_reason: i === chunks - 1 ? "length" : null }] })}\n\n`,
    );
  }
  parts.push(
    `data: ${JSON.stringify({ id: "cmpl-1", object: "text_completion", choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`,
  );
  parts.push("data: [DONE]\n\n");
  return parts.join("");
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export function models(res: ServerResponse, ids: string[]): void {
  json(res, 200, { object: "list", data: ids.map((id) => ({ id, object: "model" })) });
}
