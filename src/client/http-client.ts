// Owns sending requests over HTTP and timestamping every read as it arrives: plain http through
// our own HTTP/1.1 pool (http1-pool.ts, the measured hot path), https through undici.
// It never throws or rejects because of the server: every failure becomes a RequestRecord
// (rules in stream-observer.ts). The API key goes into a header and nowhere else.

import { buildConnector, Pool, type Dispatcher } from "undici";
import { monotonicNowMs } from "../clock.js";
import { BenchError } from "../errors.js";
import type { Endpoint, RequestSpec } from "../workload/request-spec.js";
import type { RequestRecord } from "./record.js";
import { buildRequestBody, resolveEndpoint, streamsText } from "./request-builder.js";
import { annotateSocketError, Http1Pool, type Http1Controller, type Http1Handler, type Http1Request } from "./http1-pool.js";
import { StreamObserver, type FailureKind } from "./stream-observer.js";

export interface ClientOptions {
  /** "http://host:8000", with or without a trailing "/v1" or "/". */
  baseUrl: string;
  endpoint: Endpoint;
  model: string;
  apiKey?: string;
  /** Whole-request limit (queueing, headers and body, so a stalled stream is cut too). */
  timeoutMs: number;
  /** Pool size; use the run's concurrency so no request waits for a socket. */
  maxConnections: number;
  ignoreEos: boolean;
  /** Send `min_tokens = max_tokens` and `ignore_eos` when the spec has a target length. */
  exactOutput: boolean;
  extraBody?: Record<string, unknown>;
  /** Keep the generated text on `SendResult.text` (for client-side token counts); off saves memory. */
  keepText?: boolean;
  /** Bound on one SSE line or event (default 4 MiB); past it the request fails with "sse_too_large". */
  maxEventBytes?: number;
}

export interface SendMeta {
  id: string;
  level: number;
  warmup: boolean;
  /** When the schedule said to send, in ms since `originMs` (as stored in the record). */
  scheduledMs: number;
  /** The run's origin on the monotonic clock (src/clock.ts); record times are relative to it. */
  originMs: number;
  /** Cancel this request as an impatient user would: after this long from its send, or this many streamed chunks. */
  cancelAfter?: CancelAfter;
  /** Overrides ClientOptions.keepText for this request (a caller that needs only some texts spares the rest). */
  keepText?: boolean;
}

export type CancelAfter = { kind: "ms"; ms: number } | { kind: "tokens"; tokens: number };

export interface SendResult {
  record: RequestRecord;
  /** All generated text (reasoning and content, in arrival order); only with `keepText`. */
  text?: string;
}

/** How the client uses connections; written to config.json so a reader knows what was measured. */
export const CONNECTION_POLICY = {
  keep_alive: true,
  pipelining: 1,
  retry: "once, on a fresh connection, when a reused keep-alive socket fails before any response byte (recorded as clientRetry, not a server error)",
} as const;

/**
 * Streams completions from one server.
 *
 * @example
 * const client = new StreamingClient({ baseUrl: "http://127.0.0.1:8000", endpoint: "chat",
 *   model: "m", timeoutMs: 60_000, maxConnections: 16, ignoreEos: false, exactOutput: true });
 * const { record } = await client.send(spec, { id: "0-0", level: 0, warmup: false,
 *   scheduledMs: monotonicNowMs() - originMs, originMs }); // never rejects
 * await client.close();
 */
export class StreamingClient {
  readonly #opts: ClientOptions;
  readonly #pool: Transport;
  readonly #path: string;
  readonly #headers: Record<string, string>;
  readonly #abortRegistry = new AbortRegistry();
  #closing: Promise<void> | undefined;

  constructor(opts: ClientOptions) {
    if (!(opts.maxConnections >= 1)) {
      throw new BenchError("E_BAD_CONFIG", `maxConnections must be >= 1, got ${opts.maxConnections}`);
    }
    this.#opts = opts;
    const { origin, path } = resolveEndpoint(opts.baseUrl, opts.endpoint);
    this.#path = path;
    // identity: a compressed stream cannot be timestamped per token (and is named if sent anyway).
    const accept = streamsText(opts.endpoint) ? "text/event-stream" : "application/json";
    this.#headers = { "content-type": "application/json", accept, "accept-encoding": "identity" };
    if (opts.apiKey !== undefined && opts.apiKey !== "") {
      this.#headers["authorization"] = `Bearer ${opts.apiKey}`;
    }
    this.#pool = openTransport(origin, Math.floor(opts.maxConnections));
  }

  /** Sends one request; resolves with its record (and text with `keepText`), never rejects. */
  async send(spec: RequestSpec, meta: SendMeta, signal?: AbortSignal): Promise<SendResult> {
    const observer = await this.#exchange(spec, meta, signal);
    const record = observer.record();
    const text = observer.text();
    return text === undefined ? { record } : { record, text };
  }

  /** Waits for in-flight requests (each bounded by its timeout), then closes every connection. */
  close(): Promise<void> {
    this.#closing ??= this.#pool.close();
    return this.#closing;
  }

  #exchange(spec: RequestSpec, meta: SendMeta, signal: AbortSignal | undefined): Promise<StreamObserver> {
    const body = buildRequestBody(spec, this.#opts);
    const sentMs = monotonicNowMs();
    const observer = new StreamObserver({
      id: meta.id,
      level: meta.level,
      index: spec.index,
      warmup: meta.warmup,
      originMs: meta.originMs,
      scheduledMs: meta.originMs + meta.scheduledMs,
      sentMs,
      targetInputTokens: spec.inputTokens,
      // An embedding generates nothing: there is no output length to check.
      targetOutputTokens: streamsText(this.#opts.endpoint) ? spec.targetOutputTokens : undefined,
      body: streamsText(this.#opts.endpoint) ? "sse" : "embeddings",
      keepText: meta.keepText ?? this.#opts.keepText ?? false,
      secret: this.#opts.apiKey,
      maxEventBytes: this.#opts.maxEventBytes,
    });
    return new Promise((resolve) => {
      const exchange = new Exchange(observer, () => resolve(observer), this.#opts.timeoutMs, meta.cancelAfter);
      if (signal?.aborted) {
        exchange.stop("aborted");
        return;
      }
      if (signal !== undefined) this.#abortRegistry.add(signal, exchange);
      exchange.onDone = () => {
        if (signal !== undefined) this.#abortRegistry.delete(signal, exchange);
      };
      const dispatch = (fresh: boolean): void => {
        try {
          this.#pool.dispatch({ path: this.#path, method: "POST", headers: this.#headers, body, fresh }, exchange);
        } catch (error) {
          exchange.onResponseError(undefined, asError(error));
        }
      };
      exchange.redispatch = () => dispatch(true);
      dispatch(false);
    });
  }
}

/**
 * One request's undici handler. It resolves as soon as the outcome is known ([DONE], an
 * error event, a failure) and lets the connection drain afterwards, under the same timer,
 * so a keep-alive socket is not thrown away for an error the server reported cleanly.
 */
class Exchange implements Http1Handler {
  onDone: (() => void) | undefined;
  /** Sends the request again (same handler, fresh socket); set by the client. */
  redispatch: (() => void) | undefined;
  readonly #observer: StreamObserver;
  #resolve: (() => void) | undefined;
  #controller: Http1Controller | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Set when we decided to stop before undici started the request (still queued in the pool). */
  #stopReason: Error | undefined;
  #finished = false;
  #retried = false;
  #cancelAtChunks: number | undefined;
  #cancelTimer: NodeJS.Timeout | undefined;

  constructor(observer: StreamObserver, resolve: () => void, timeoutMs: number, cancelAfter?: CancelAfter) {
    this.#observer = observer;
    this.#resolve = resolve;
    if (cancelAfter?.kind === "tokens") this.#cancelAtChunks = cancelAfter.tokens;
    if (cancelAfter?.kind === "ms")
      this.#cancelTimer = setTimeout(() => this.stop("cancelled", undefined, `cancelled by the client after ${cancelAfter.ms} ms`), cancelAfter.ms);
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      this.#timer = setTimeout(() => this.stop("timeout", timeoutMs), timeoutMs);
    }
  }

  /** Ends the request from our side: a timeout or the caller's abort. */
  stop(kind: "timeout" | "aborted" | "cancelled", timeoutMs?: number, why?: string): void {
    const message = why ?? (kind === "timeout" ? `no complete response within ${timeoutMs ?? 0} ms` : "aborted by the caller");
    this.#observer.fail(kind, message, monotonicNowMs());
    this.#settle();
    this.#cleanup();
    const reason = new Error(message);
    // A request still queued in the pool has no controller yet: undici calls onRequestStart
    // when a socket frees up, and it is aborted there before anything is written.
    if (this.#controller !== undefined) this.#controller.abort(reason);
    else this.#stopReason = reason;
  }

  onRequestStart(controller: Http1Controller): void {
    this.#controller = controller;
    if (this.#stopReason !== undefined) controller.abort(this.#stopReason);
  }

  onResponseStart(_controller: Http1Controller, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    const nowMs = monotonicNowMs();
    const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
    this.#observer.responseStart(statusCode, first(headers["content-type"]), nowMs, {
      contentEncoding: first(headers["content-encoding"]),
      location: first(headers["location"]),
    });
    if (this.#observer.abandoned) this.#abandon();
  }

  onResponseData(_controller: Http1Controller, chunk: Buffer): void {
    // Stamp first: the read's arrival time, not the time parsing finished.
    const nowMs = monotonicNowMs();
    if (this.#observer.data(chunk, nowMs)) {
      this.#settle();
      if (this.#observer.abandoned) this.#abandon();
    } else if (this.#cancelAtChunks !== undefined && this.#observer.tokenChunks >= this.#cancelAtChunks) {
      this.stop("cancelled", undefined, `cancelled by the client after ${this.#cancelAtChunks} streamed chunks`);
    }
  }

  /** The rest of the body is useless (an endless line, a compressed stream): cut the connection now. */
  #abandon(): void {
    this.#settle();
    this.#cleanup();
    this.#controller?.abort(new Error("response abandoned"));
  }

  onResponseEnd(): void {
    this.#observer.end(monotonicNowMs());
    this.#settle();
    this.#cleanup();
  }

  onResponseError(_controller: Http1Controller | undefined, error: Error): void {
    if (!this.#retried && !this.#finished && this.redispatch !== undefined && this.#observer.untouched && failedOnReusedSocket(error)) {
      // The server closed a keep-alive socket the pool had just handed us (llama.cpp closes after
      // every stream while advertising Keep-Alive): our reuse, not the server's failure. Once.
      this.#retried = true;
      this.#controller = undefined;
      this.#observer.noteClientRetry(describeNetworkError(error));
      this.redispatch();
      return;
    }
    this.#observer.fail("connection", describeNetworkError(error), monotonicNowMs());
    this.#settle();
    this.#cleanup();
  }

  #settle(): void {
    const resolve = this.#resolve;
    if (resolve === undefined) return;
    this.#resolve = undefined;
    resolve();
  }

  #cleanup(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#cancelTimer !== undefined) clearTimeout(this.#cancelTimer);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.onDone?.();
  }
}

/**
 * One 'abort' listener per caller signal however many requests share it (a run aborts all
 * of them with one signal; a listener each would trip Node's listener-leak warning).
 */
class AbortRegistry {
  readonly #bySignal = new Map<AbortSignal, { exchanges: Set<Exchange>; listener: () => void }>();

  add(signal: AbortSignal, exchange: Exchange): void {
    let entry = this.#bySignal.get(signal);
    if (entry === undefined) {
      const exchanges = new Set<Exchange>();
      const listener = (): void => {
        for (const e of [...exchanges]) e.stop("aborted");
      };
      entry = { exchanges, listener };
      this.#bySignal.set(signal, entry);
      signal.addEventListener("abort", listener, { once: true });
    }
    entry.exchanges.add(exchange);
  }

  delete(signal: AbortSignal, exchange: Exchange): void {
    const entry = this.#bySignal.get(signal);
    if (entry === undefined) return;
    entry.exchanges.delete(exchange);
    if (entry.exchanges.size === 0) {
      signal.removeEventListener("abort", entry.listener);
      this.#bySignal.delete(signal);
    }
  }
}

/** Where requests go: one keep-alive connection per in-flight request, `maxConnections` at most. */
interface Transport {
  dispatch(request: Http1Request, handler: Http1Handler): void;
  close(): Promise<void>;
}

/** Plain http: our HTTP/1.1 pool. https: undici's Pool, whose handler API Exchange also speaks. */
function openTransport(origin: string, maxConnections: number): Transport {
  const url = new URL(origin);
  if (url.protocol === "http:") return new Http1Pool(url, { connections: maxConnections });
  // Our own timer bounds each request, so undici's idle timers are off (0) rather than
  // racing it with a different error.
  const pool = new Pool(origin, { connections: maxConnections, pipelining: 1, headersTimeout: 0, bodyTimeout: 0, connect: reuseAwareConnector() });
  return {
    dispatch: ({ fresh: _fresh, ...request }, handler) => {
      pool.dispatch(request, handler as Dispatcher.DispatchHandler);
    },
    close: () => pool.close(),
  };
}

/**
 * undici's own connector, plus one thing: a socket error (ECONNRESET, EPIPE) carries the bytes
 * the socket had read before it, as undici's own SocketError does, so a failure on a reused
 * keep-alive socket can be told from a fresh connection being refused or reset.
 */
function reuseAwareConnector(): buildConnector.connector {
  const connect = buildConnector({});
  return (options, callback) => {
    connect(options, (error, socket) => {
      if (error === null && socket !== null && socket !== undefined) {
        // Registered before undici's own listener, so the annotation is there when it reports.
        socket.prependListener("error", (e: Error) => annotateSocketError(e, socket));
      }
      if (error !== null && error !== undefined) callback(error, null);
      else callback(null, socket as NonNullable<typeof socket>);
    });
  };
}

/**
 * True when the transport (ours or undici) reports the socket closed or reset under a request that had no response
 * byte yet, on a socket that had already carried an earlier response (bytes read before this
 * request). A fresh connection refused or reset is the server's doing and is never retried.
 */
export function failedOnReusedSocket(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (code !== "UND_ERR_SOCKET" && code !== "E_PEER_CLOSED" && code !== "ECONNRESET" && code !== "EPIPE") return false;
  const socket = (error as { socket?: { bytesRead?: unknown } }).socket;
  return typeof socket?.bytesRead === "number" && socket.bytesRead > 0;
}

/** "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9" — the errno code first, then the cause's. */
function describeNetworkError(error: Error): string {
  const code = (error as { code?: unknown }).code;
  // Happy-eyeballs connects fail with an AggregateError whose own message is empty.
  const inner: unknown = error instanceof AggregateError ? error.errors[0] : undefined;
  const text = error.message === "" && inner instanceof Error ? inner.message : error.message;
  let message = typeof code === "string" ? `${code}: ${text}` : text;
  const cause = error.cause;
  if (cause instanceof Error) {
    const causeCode = (cause as { code?: unknown }).code;
    const part = typeof causeCode === "string" ? `${causeCode}: ${cause.message}` : cause.message;
    if (part !== "" && !message.includes(part)) message += ` (${part})`;
  }
  return message;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
