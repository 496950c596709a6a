// Bench helper: when undici finished writing each request to its socket, read from undici's
// diagnostics channels. servebench's client keeps no such time: undici's handler API
// (onRequestStart, onResponse*) has no "request sent" callback, and the bench must not change the client.

import { subscribe, unsubscribe } from "node:diagnostics_channel";

const CREATE = "undici:request:create";
/** Published by undici right after the request's headers and body went to socket.write. */
const SENT = "undici:request:bodySent";

export interface RequestWrites {
  /**
   * Runs `send` with the undici request it creates synchronously labelled `id` (servebench's
   * StreamingClient.send builds and dispatches before its first await). A request undici creates
   * later (queued for a socket, retried) stays unlabelled and has no written time.
   */
  label<T>(id: string, send: () => T): T;
  /** When undici created the request labelled `id`: the client's synchronous send had reached undici (same clock). */
  createdMs(id: string): number | undefined;
  /** When the request labelled `id` was fully written to its socket (performance.timeOrigin + now, ms). */
  writtenMs(id: string): number | undefined;
  stop(): void;
}

export function watchRequestWrites(): RequestWrites {
  const labels = new WeakMap<object, string>();
  const created = new Map<string, number>();
  const written = new Map<string, number>();
  let pending: string | undefined;
  const onCreate = (message: unknown): void => {
    if (pending === undefined) return;
    created.set(pending, performance.timeOrigin + performance.now());
    labels.set((message as { request: object }).request, pending);
    pending = undefined;
  };
  const onSent = (message: unknown): void => {
    const atMs = performance.timeOrigin + performance.now();
    const id = labels.get((message as { request: object }).request);
    if (id !== undefined && !written.has(id)) written.set(id, atMs);
  };
  subscribe(CREATE, onCreate);
  subscribe(SENT, onSent);
  return {
    label(id, send) {
      pending = id;
      try {
        return send();
      } finally {
        pending = undefined;
      }
    },
    createdMs: (id) => created.get(id),
    writtenMs: (id) => written.get(id),
    stop() {
      unsubscribe(CREATE, onCreate);
      unsubscribe(SENT, onSent);
    },
  };
}
