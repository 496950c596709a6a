// Bench helper: splits one request's TTFT (less the server's own time to its first token) into
// the client's send, the server's accept/queue and the client's receive, from client timestamps
// and the mock's trace (both on performance.timeOrigin + now, comparable across processes on one host).

/** One request's client-side times, ms on the shared clock; undefined where the client has none. */
export interface ClientStart {
  responseId: string | undefined;
  /** When the request was due (servebench: the schedule; bare reader: the common start). */
  scheduledMs: number;
  /** When the client finished writing the request to its socket. */
  writtenMs: number | undefined;
  /** When the client read the first token. */
  firstTokenMs: number | undefined;
  /** TTFT as the caller's headline figure computes it (servebench: from the record's own relative times). */
  ttftMs: number | undefined;
}

/** The server's side of one request, from its trace. */
export interface ServerStart {
  /** When the request reached the server's handler. */
  arrivalMs: number;
  /** When the server wrote each token; only the first is used. */
  emitMs: readonly number[];
}

export interface TtftSplit {
  /** scheduled → request written: the client's send delay. */
  sendMs: number;
  /** request written → the server's handler: accept, queue and request parsing on the server. */
  queueMs: number;
  /** handler → first token written: the server's own generation time (what the bench subtracts). */
  serverOwnMs: number;
  /** first token written → read by the client: the client's receive delay. */
  receiveMs: number;
  /** sendMs + receiveMs: what the client's own timestamps charge to it. */
  clientMs: number;
  /** The caller's ttftMs − serverOwnMs: the figure the three parts should add up to. */
  ttftLessOwnMs: number;
  /** ttftLessOwnMs − (sendMs + queueMs + receiveMs): zero up to float rounding when both agree. */
  residualMs: number;
}

/**
 * Splits every request found in `trace` with both client times; the others are left out.
 * `serverOffsetMs` (server clock − client clock, bench/lib/clock-offset.ts) puts the server's
 * times on the client's clock; it moves time between queue and receive, never their sum.
 */
export function splitTtft(starts: readonly ClientStart[], trace: ReadonlyMap<string, ServerStart>, serverOffsetMs = 0): TtftSplit[] {
  const out: TtftSplit[] = [];
  for (const s of starts) {
    const t = s.responseId === undefined ? undefined : trace.get(s.responseId);
    const emitted = t?.emitMs[0];
    if (t === undefined || emitted === undefined || s.writtenMs === undefined || s.firstTokenMs === undefined || s.ttftMs === undefined) continue;
    const arrivalMs = t.arrivalMs - serverOffsetMs;
    const emit0 = emitted - serverOffsetMs;
    const sendMs = s.writtenMs - s.scheduledMs;
    const queueMs = arrivalMs - s.writtenMs;
    const receiveMs = s.firstTokenMs - emit0;
    const ttftLessOwnMs = s.ttftMs - (emit0 - arrivalMs);
    out.push({
      sendMs,
      queueMs,
      serverOwnMs: emit0 - arrivalMs,
      receiveMs,
      clientMs: sendMs + receiveMs,
      ttftLessOwnMs,
      residualMs: ttftLessOwnMs - (sendMs + queueMs + receiveMs),
    });
  }
  return out;
}
