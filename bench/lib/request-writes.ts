// Bench helper: when the client's transport finished writing each request to its socket, read
// from its diagnostics channels (our HTTP/1.1 pool's for http, undici's for https). The client's
// records keep no such time, and the bench must not change the client.

import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { REQUEST_CREATE_CHANNEL, REQUEST_SENT_CHANNEL } from "../../src/client/http1-pool.js";

/** Published when a request is handed to the transport, and right after its bytes went to socket.write. */
const CHANNELS = [
  { create: REQUEST_CREATE_CHANNEL, sent: REQUEST_SENT_CHANNEL },
  { create: "undici:request:create", sent: "undici:request:bodySent" },
];

export interface RequestWrites {
  /**
   * Runs `send` with the request it creates synchronously labelled `id` (servebench's
   * StreamingClient.send builds and dispatches before its first await). Our pool creates a request
   * at dispatch, queued or not; undici creates a queued one later, unlabelled. A retry is unlabelled.
   */
  label<T>(id: string, send: () => T): T;
  /** When the transport got the request labelled `id`: the client's synchronous send had reached it (same clock). */
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
  for (const c of CHANNELS) {
    subscribe(c.create, onCreate);
    subscribe(c.sent, onSent);
  }
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
      for (const c of CHANNELS) {
        unsubscribe(c.create, onCreate);
        unsubscribe(c.sent, onSent);
      }
    },
  };
}
