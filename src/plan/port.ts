// Owns choosing a server's port: a free one for `port: auto`, and refusing a port that something
// already uses. Both a connect probe and an exclusive bind are tried, because servers that bind
// with SO_REUSEPORT would otherwise silently share the port with a stale copy.

import { createConnection, createServer } from "node:net";

export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function bindError(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** Undefined when `port` is free on `host`; otherwise why it is not. */
export async function portProblem(host: string, port: number): Promise<string | undefined> {
  const probeHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  if (await accepts(probeHost, port)) {
    return `port ${port} on ${probeHost} already accepts connections (a stale server?); refusing to start a second server there`;
  }
  const error = await bindError(host, port);
  if (error === undefined) return undefined;
  return error === "EADDRINUSE" ? `port ${port} on ${host} is already in use` : `cannot bind ${host}:${port} (${error})`;
}
