// Owns the simulator's raw HTTP I/O helpers: sending a dialect's reply and reading a request body
// with a size limit. node:http only; no routing, no wire formats.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { HttpReply } from "./dialects/dialect.js";

export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function send(res: ServerResponse, reply: HttpReply): void {
  const headers: Record<string, string | number> = { "content-length": Buffer.byteLength(reply.body) };
  if (reply.body !== "" || reply.contentType !== undefined) headers["content-type"] = reply.contentType ?? "application/json";
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

/** Calls back with the whole body, or undefined if it is too large. Never calls back if the client goes away. */
export function readBody(req: IncomingMessage, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let tooLarge = false;
  req.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_BODY_BYTES) tooLarge = true;
    else if (!tooLarge) chunks.push(chunk);
  });
  req.on("end", () => done(tooLarge ? undefined : Buffer.concat(chunks)));
  req.on("error", () => undefined);
}

const CLOSING = Symbol("servebench.sim.closing");

/**
 * Closes a keep-alive socket shortly after a response, as llama.cpp does after every stream
 * while its headers still say Keep-Alive: a request the client sends on it in the meantime is
 * dropped unread (isClosing), so the client sees the socket fail before any response byte.
 */
export function closeSoon(socket: Socket | null, afterMs = 1): void {
  if (socket === null || socket.destroyed) return;
  (socket as Socket & { [CLOSING]?: true })[CLOSING] = true;
  setTimeout(() => socket.destroy(), afterMs).unref();
}

export function isClosing(socket: Socket): boolean {
  return (socket as Socket & { [CLOSING]?: true })[CLOSING] === true;
}
