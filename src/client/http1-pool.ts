// Owns the client's HTTP/1.1 connections to one plain-http origin: a keep-alive pool of TCP
// sockets carrying one request at a time, the request's bytes, and the response's framing
// (status line, headers, then a chunked, Content-Length or close-delimited body). It does less
// per request and per read than undici (measured in `npm run bench:client`), which is why the
// streaming hot path uses it; https origins go through undici (http-client.ts).

import { channel } from "node:diagnostics_channel";
import { connect, type Socket } from "node:net";

/** Lets a handler end its request; the socket is then closed (its response is unread). */
export interface Http1Controller {
  abort(reason: Error): void;
}

/** The callbacks of one request, in the order of undici's handler API (Dispatcher.DispatchHandler). */
export interface Http1Handler {
  onRequestStart(controller: Http1Controller): void;
  onResponseStart(controller: Http1Controller, statusCode: number, headers: Record<string, string | string[] | undefined>): void;
  onResponseData(controller: Http1Controller, chunk: Buffer): void;
  onResponseEnd(controller: Http1Controller): void;
  onResponseError(controller: Http1Controller | undefined, error: Error): void;
}

export interface Http1Request {
  path: string;
  method: string;
  headers: Readonly<Record<string, string>>;
  body: string;
  /** On a new connection, never an idle one (a retry after a reused socket failed). */
  fresh?: boolean;
}

/** Published with `{ request }` when a request is handed to the pool and when its bytes went to socket.write (for benches). */
export const REQUEST_CREATE_CHANNEL = "servebench:http1:request:create";
export const REQUEST_SENT_CHANNEL = "servebench:http1:request:bodySent";
const createChannel = channel(REQUEST_CREATE_CHANNEL);
const sentChannel = channel(REQUEST_SENT_CHANNEL);

/** Where every socket's reads land, one read at a time (they are handled before the next). */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** A response head larger than this is refused (servers send well under 8 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** A chunk-size or trailer line longer than this is refused. */
const MAX_LINE_BYTES = 4096;

class Job implements Http1Controller {
  done = false;
  written = false;
  connection: Connection | undefined;

  constructor(
    readonly request: Http1Request,
    readonly handler: Http1Handler,
  ) {}

  abort(reason: Error): void {
    if (this.done) return;
    this.done = true;
    const connection = this.connection;
    this.connection = undefined;
    // Bytes may be on the wire or on their way back: this socket cannot carry another request.
    if (connection !== undefined) connection.drop(this);
    this.handler.onResponseError(this, reason);
  }
}

export interface Http1PoolOptions {
  /** Sockets open at most; requests beyond wait in order for a free one. */
  connections: number;
}

/**
 * A keep-alive pool to one `http:` origin.
 *
 * @example
 * const pool = new Http1Pool(new URL("http://127.0.0.1:8000"), { connections: 16 });
 * pool.dispatch({ path: "/v1/completions", method: "POST", headers: {}, body: "{}" }, handler);
 * await pool.close(); // after in-flight requests end
 */
export class Http1Pool {
  readonly #host: string;
  readonly #port: number;
  readonly #hostHeader: string;
  readonly #maxConnections: number;
  readonly #idle: Connection[] = [];
  readonly #queue: Job[] = [];
  #queueHead = 0;
  #open = 0;
  #active = 0;
  #closed = false;
  #onDrained: (() => void) | undefined;

  constructor(origin: URL, opts: Http1PoolOptions) {
    if (origin.protocol !== "http:") throw new Error(`Http1Pool speaks plain http only, got ${origin.protocol}`);
    // URL keeps IPv6 literals bracketed; net.connect wants them bare.
    this.#host = origin.hostname.replace(/^\[(.*)\]$/, "$1");
    this.#port = origin.port === "" ? 80 : Number(origin.port);
    this.#hostHeader = origin.host;
    this.#maxConnections = Math.max(1, Math.floor(opts.connections));
  }

  /** Queues one request; every outcome reaches `handler` (a closed pool throws). */
  dispatch(request: Http1Request, handler: Http1Handler): void {
    if (this.#closed) throw new Error("the HTTP client is closed");
    const job = new Job(request, handler);
    if (createChannel.hasSubscribers) createChannel.publish({ request: job });
    if (request.fresh === true) {
      // Its slot may be over the limit for as long as the failed socket takes to close.
      this.#run(this.#connect(), job);
      return;
    }
    const idle = this.#idle.pop();
    if (idle !== undefined) this.#run(idle, job);
    else if (this.#open < this.#maxConnections) this.#run(this.#connect(), job);
    else this.#queue.push(job);
  }

  /** Waits for in-flight and queued requests to end, then closes every socket. */
  close(): Promise<void> {
    this.#closed = true;
    return new Promise((resolve) => {
      this.#onDrained = resolve;
      this.#checkDrained();
    });
  }

  /** The request line and headers, then the body, in one write. */
  requestBytes(request: Http1Request): string {
    let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${this.#hostHeader}\r\nconnection: keep-alive\r\n`;
    for (const name in request.headers) head += `${name}: ${request.headers[name]}\r\n`;
    return `${head}content-length: ${Buffer.byteLength(request.body)}\r\n\r\n${request.body}`;
  }

  /**
   * A connection finished its response and can carry another request: after this turn of the
   * event loop, so a close the server sent right behind its last bytes (llama.cpp does, while
   * advertising keep-alive) is seen before a request is written to that socket.
   */
  release(connection: Connection): void {
    setImmediate(() => {
      this.#active--;
      if (!connection.usable) {
        this.#checkDrained();
        return;
      }
      const next = this.#nextJob();
      if (next !== undefined) this.#run(connection, next);
      else {
        this.#idle.push(connection);
        this.#checkDrained();
      }
    });
  }

  /** A request ended and its socket is being closed. */
  finished(): void {
    this.#active--;
    this.#checkDrained();
  }

  /** A socket closed (for whatever reason): its slot can open another for a waiting request. */
  gone(connection: Connection): void {
    // (A socket released this turn is not idle yet: release() checks it.)
    this.#open--;
    const at = this.#idle.indexOf(connection);
    if (at >= 0) this.#idle.splice(at, 1);
    const next = this.#open < this.#maxConnections ? this.#nextJob() : undefined;
    if (next !== undefined) this.#run(this.#connect(), next);
    this.#checkDrained();
  }

  #run(connection: Connection, job: Job): void {
    this.#active++;
    connection.begin(job);
  }

  #connect(): Connection {
    this.#open++;
    return new Connection(this, this.#host, this.#port);
  }

  #nextJob(): Job | undefined {
    while (this.#queueHead < this.#queue.length) {
      const job = this.#queue[this.#queueHead++];
      if (this.#queueHead === this.#queue.length) {
        this.#queue.length = 0;
        this.#queueHead = 0;
      }
      if (job !== undefined && !job.done) return job;
    }
    return undefined;
  }

  #checkDrained(): void {
    if (!this.#closed || this.#active > 0 || this.#queueHead < this.#queue.length) return;
    for (const connection of this.#idle.splice(0)) connection.destroy();
    const resolve = this.#onDrained;
    this.#onDrained = undefined;
    resolve?.();
  }
}

const enum Body {
  Head,
  Chunked,
  Length,
  UntilClose,
}

const enum Chunk {
  Size,
  Data,
  DataCr,
  DataLf,
  Trailer,
}

/** One socket and the response being read on it. */
class Connection {
  readonly #pool: Http1Pool;
  readonly #socket: Socket;
  #connected = false;
  #job: Job | undefined;
  #body = Body.Head;
  #head: Buffer | undefined;
  #keepAlive = false;
  #remaining = 0;
  #chunk = Chunk.Size;
  #line = "";

  constructor(pool: Http1Pool, host: string, port: number) {
    this.#pool = pool;
    // Reads land in one shared buffer and go straight to #read, without a stream's per-read
    // buffer and events: everything downstream copies what it keeps past the call.
    const onread = {
      buffer: READ_BUFFER,
      callback: (bytes: number): boolean => {
        this.#read(READ_BUFFER.subarray(0, bytes));
        return true;
      },
    };
    const socket = connect({ host, port, onread });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("connect", () => {
      this.#connected = true;
      if (this.#job !== undefined && !this.#job.written) this.#write(this.#job);
    });
    socket.on("end", () => {
      if (this.#job !== undefined && this.#body === Body.UntilClose) this.#end();
      else this.#fail(peerClosed(this.#socket));
    });
    socket.on("error", (error: Error) => this.#fail(annotateSocketError(error, this.#socket)));
    socket.on("close", () => {
      this.#fail(peerClosed(this.#socket));
      pool.gone(this);
    });
  }

  /** Open and not closing: it can carry a request. */
  get usable(): boolean {
    return !this.#socket.destroyed && this.#socket.readyState === "open";
  }

  begin(job: Job): void {
    this.#job = job;
    job.connection = this;
    this.#body = Body.Head;
    this.#head = undefined;
    job.handler.onRequestStart(job);
    if (job.done) return;
    if (this.#connected) this.#write(job);
  }

  /** The job was aborted: nothing more is read for it, and the socket cannot be reused. */
  drop(job: Job): void {
    if (this.#job !== job) return;
    this.#job = undefined;
    this.#pool.finished();
    this.#socket.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #write(job: Job): void {
    job.written = true;
    this.#socket.write(this.#pool.requestBytes(job.request));
    if (sentChannel.hasSubscribers) sentChannel.publish({ request: job });
  }

  #read(data: Buffer): void {
    const job = this.#job;
    if (job === undefined) {
      // Bytes nobody asked for (on an idle socket): the stream is out of step; close it.
      this.#socket.destroy();
      return;
    }
    let body = data;
    if (this.#body === Body.Head) {
      const rest = this.#readHead(job, data);
      if (rest === undefined || this.#job !== job) return;
      body = rest;
    }
    if (body.length > 0) this.#readBody(job, body);
  }

  /** Collects the head across reads; returns the bytes after it once the final (non-1xx) head is parsed. */
  #readHead(job: Job, data: Buffer): Buffer | undefined {
    let buffer = this.#head === undefined ? data : Buffer.concat([this.#head, data]);
    for (;;) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) {
        if (buffer.length > MAX_HEAD_BYTES) this.#fail(protocolError(`response head larger than ${MAX_HEAD_BYTES} bytes`));
        else this.#head = Buffer.from(buffer);
        return undefined;
      }
      this.#head = undefined;
      const head = parseHead(buffer.toString("latin1", 0, end));
      buffer = buffer.subarray(end + 4);
      if (typeof head === "string") {
        this.#fail(protocolError(head));
        return undefined;
      }
      // 100 Continue, 103 Early Hints: the real response follows.
      if (head.statusCode >= 100 && head.statusCode < 200) continue;
      this.#startBody(head);
      job.handler.onResponseStart(job, head.statusCode, head.headers);
      if (this.#job !== job) return undefined;
      if (this.#body === Body.Length && this.#remaining === 0) {
        this.#end();
        return undefined;
      }
      return buffer;
    }
  }

  #startBody(head: ParsedHead): void {
    const connection = lower(head.headers["connection"]);
    this.#keepAlive = head.version === "1.1" ? !connection.includes("close") : connection.includes("keep-alive");
    const transfer = lower(head.headers["transfer-encoding"]);
    const length = head.headers["content-length"];
    const bodyless = head.statusCode === 204 || head.statusCode === 304;
    if (transfer.includes("chunked")) {
      this.#body = Body.Chunked;
      this.#chunk = Chunk.Size;
      this.#line = "";
    } else if (bodyless || (typeof length === "string" && /^\d+$/.test(length.trim()))) {
      this.#body = Body.Length;
      this.#remaining = bodyless ? 0 : Number(length);
    } else {
      this.#body = Body.UntilClose;
      this.#keepAlive = false;
    }
  }

  #readBody(job: Job, data: Buffer): void {
    if (this.#body === Body.UntilClose) {
      job.handler.onResponseData(job, data);
      return;
    }
    if (this.#body === Body.Length) {
      if (data.length > this.#remaining) {
        // More than the server announced: deliver what it announced, then distrust the socket.
        this.#keepAlive = false;
        data = data.subarray(0, this.#remaining);
      }
      this.#remaining -= data.length;
      if (data.length > 0) job.handler.onResponseData(job, data);
      if (this.#job === job && this.#remaining === 0) this.#end();
      return;
    }
    this.#readChunked(job, data);
  }

  /** Transfer-Encoding: chunked, across reads: size line, data, CRLF; a zero size, trailers and an empty line end it. */
  #readChunked(job: Job, data: Buffer): void {
    let at = 0;
    while (at < data.length && this.#job === job) {
      if (this.#chunk === Chunk.Size && this.#line === "") {
        // The usual case, once per event: "1f4\r\n" whole in this read, read without a string.
        const next = this.#sizeLineAt(data, at);
        if (next > 0) {
          at = next;
          continue;
        }
      }
      switch (this.#chunk) {
        case Chunk.Size:
        case Chunk.Trailer: {
          const lf = data.indexOf(10, at);
          const line = this.#line + data.toString("latin1", at, lf < 0 ? data.length : lf);
          if (lf < 0) {
            if (line.length > MAX_LINE_BYTES) return this.#fail(protocolError("chunked body: a line is too long"));
            this.#line = line;
            return;
          }
          at = lf + 1;
          this.#line = "";
          const text = line.endsWith("\r") ? line.slice(0, -1) : line;
          if (this.#chunk === Chunk.Trailer) {
            if (text === "") this.#end();
            break;
          }
          const sizeText = text.split(";", 1)[0]?.trim() ?? "";
          if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) return this.#fail(protocolError(`chunked body: bad chunk size ${JSON.stringify(sizeText.slice(0, 20))}`));
          this.#remaining = parseInt(sizeText, 16);
          this.#chunk = this.#remaining === 0 ? Chunk.Trailer : Chunk.Data;
          break;
        }
        case Chunk.Data: {
          const take = Math.min(this.#remaining, data.length - at);
          const slice = data.subarray(at, at + take);
          at += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#chunk = Chunk.DataCr;
          job.handler.onResponseData(job, slice);
          break;
        }
        case Chunk.DataCr:
        case Chunk.DataLf: {
          const byte = data[at++];
          if (byte === 13 && this.#chunk === Chunk.DataCr) this.#chunk = Chunk.DataLf;
          else if (byte === 10) this.#chunk = Chunk.Size;
          else return this.#fail(protocolError("chunked body: data not followed by CRLF"));
          break;
        }
      }
    }
  }

  /** A bare hex size line ("1f4\r\n") starting at `at`: sets the chunk to read and returns where it starts, or -1 for any other shape. */
  #sizeLineAt(data: Buffer, at: number): number {
    let size = 0;
    let i = at;
    for (; i < data.length && i - at < 12; i++) {
      const c = data[i] ?? 0;
      const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (digit < 0) break;
      size = size * 16 + digit;
    }
    if (i === at || data[i] !== 13 || data[i + 1] !== 10) return -1;
    this.#remaining = size;
    this.#chunk = size === 0 ? Chunk.Trailer : Chunk.Data;
    return i + 2;
  }

  /** The response ended as framed: the handler hears it, and the socket serves the next request or closes. */
  #end(): void {
    const job = this.#job;
    if (job === undefined) return;
    this.#job = undefined;
    job.connection = undefined;
    job.done = true;
    const reusable = this.#keepAlive && this.usable;
    job.handler.onResponseEnd(job);
    if (reusable) this.#pool.release(this);
    else {
      this.#pool.finished();
      this.#socket.destroy();
    }
  }

  #fail(error: Error): void {
    const job = this.#job;
    if (job === undefined) return;
    this.#job = undefined;
    job.connection = undefined;
    job.done = true;
    this.#pool.finished();
    this.#socket.destroy();
    job.handler.onResponseError(job, error);
  }
}

interface ParsedHead {
  version: string;
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
}

/** "HTTP/1.1 200 OK" and its header lines (names lower-cased, repeats as arrays), or what is wrong with them. */
export function parseHead(text: string): ParsedHead | string {
  const lines = text.split("\r\n");
  const status = /^HTTP\/(1\.[01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? "");
  if (status === null) return `not an HTTP/1.x status line: ${JSON.stringify((lines[0] ?? "").slice(0, 60))}`;
  const headers: Record<string, string | string[] | undefined> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const colon = line.indexOf(":");
    if (colon <= 0) return `malformed header line: ${JSON.stringify(line.slice(0, 60))}`;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers[name];
    headers[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return { version: status[1] ?? "1.1", statusCode: Number(status[2]), headers };
}

const lower = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join(",") : (value ?? "")).toLowerCase();

/**
 * Puts what a failed socket had carried on its error (`error.socket.bytesRead`), so a failure on
 * a reused keep-alive socket can be told from a fresh one's (http-client.ts failedOnReusedSocket).
 */
export function annotateSocketError(error: Error, socket: Socket): Error {
  (error as Error & { socket?: unknown }).socket ??= { bytesRead: socket.bytesRead, bytesWritten: socket.bytesWritten };
  return error;
}

function peerClosed(socket: Socket): Error {
  return annotateSocketError(Object.assign(new Error("other side closed the connection before the response ended"), { code: "E_PEER_CLOSED" }), socket);
}

function protocolError(message: string): Error {
  return Object.assign(new Error(message), { code: "E_HTTP_PROTOCOL" });
}
