// Owns incremental decoding of a text/event-stream body into event `data` strings.
// Pure (no I/O, no clock: the caller timestamps reads). Bytes are decoded to text only per
// complete line, so a UTF-8 character or a CR LF pair split across reads is never mangled.

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

/** Receives the data of one event: its `data:` lines joined with "\n" (SSE spec). */
export type SseEventHandler = (data: string) => void;

/** Default bound on one line and one event's data: far above any real chunk, far below a memory problem. */
export const DEFAULT_MAX_EVENT_BYTES = 4 * 1024 * 1024;

export interface SseLimits {
  /** A line, or an event's joined data, longer than this stops decoding (default 4 MiB). */
  maxBytes?: number;
  /** Called once when a line or event passes maxBytes; nothing is decoded after it. */
  onTooLarge?: (what: "line" | "event", bytes: number) => void;
}

/**
 * Incremental SSE decoder. Feed network reads in any split with `write`, call `end` once
 * when the body ends (a last event without its blank line is then still delivered).
 * Only `data` fields are surfaced; comments (`:` lines, keep-alives), `event`, `id` and
 * `retry` are ignored: no OpenAI-style server uses them to carry tokens.
 *
 * @example
 * const events: string[] = [];
 * const decoder = new SseDecoder((data) => events.push(data));
 * decoder.write(Buffer.from('data: {"a":1}\n\nda'));
 * decoder.write(Buffer.from("ta:[DONE]\n\n"));
 * decoder.end(); // events: ['{"a":1}', "[DONE]"]
 */
export class SseDecoder {
  readonly #onEvent: SseEventHandler;
  /** Bytes of a line that has not ended yet (copies: the caller may reuse its buffers). */
  #pending: Buffer[] = [];
  #data = "";
  #hasData = false;
  /** The previous read ended in CR: an LF opening the next read belongs to that line end. */
  #afterCr = false;
  #firstLine = true;
  readonly #maxBytes: number;
  readonly #onTooLarge: ((what: "line" | "event", bytes: number) => void) | undefined;
  #pendingBytes = 0;
  #tooLarge = false;

  constructor(onEvent: SseEventHandler, limits: SseLimits = {}) {
    this.#onEvent = onEvent;
    this.#maxBytes = limits.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.#onTooLarge = limits.onTooLarge;
  }

  /** True once a line or event passed the limit (the rest of the stream is ignored). */
  get tooLarge(): boolean {
    return this.#tooLarge;
  }

  #overflow(what: "line" | "event", bytes: number): void {
    this.#tooLarge = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#data = "";
    this.#hasData = false;
    this.#onTooLarge?.(what, bytes);
  }

  write(chunk: Uint8Array): void {
    const end = chunk.byteLength;
    if (end === 0 || this.#tooLarge) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let pos = 0;
    if (this.#afterCr) {
      this.#afterCr = false;
      if (buf[0] === LF) pos = 1;
    }
    // Almost every server uses LF only; scanning for CR once lets that case use one indexOf
    // per line instead of two.
    let nextCr = buf.indexOf(CR, pos);
    let nextLf = buf.indexOf(LF, pos);
    while (nextLf !== -1 || nextCr !== -1) {
      let eol: number;
      let next: number;
      if (nextCr === -1 || (nextLf !== -1 && nextLf < nextCr)) {
        eol = nextLf;
        next = eol + 1;
      } else {
        eol = nextCr;
        if (eol + 1 < end) {
          next = buf[eol + 1] === LF ? eol + 2 : eol + 1;
        } else {
          next = end;
          this.#afterCr = true;
        }
      }
      if (this.#pendingBytes + (eol - pos) > this.#maxBytes) {
        this.#overflow("line", this.#pendingBytes + (eol - pos));
        return;
      }
      if (this.#pending.length > 0) {
        this.#pending.push(buf.subarray(pos, eol));
        const line = Buffer.concat(this.#pending);
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#line(line, 0, line.length);
      } else {
        this.#line(buf, pos, eol);
      }
      if (this.#tooLarge) return;
      pos = next;
      if (nextLf !== -1 && nextLf < pos) nextLf = buf.indexOf(LF, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = buf.indexOf(CR, pos);
    }
    if (pos < end) {
      // A line that never ends must not grow without bound (a server can send one forever).
      this.#pendingBytes += end - pos;
      if (this.#pendingBytes > this.#maxBytes) {
        this.#overflow("line", this.#pendingBytes);
        return;
      }
      this.#pending.push(Buffer.from(buf.subarray(pos, end)));
    }
  }

  /** The body ended: an unterminated last line and an undispatched last event are delivered. */
  end(): void {
    if (this.#tooLarge) return;
    if (this.#pending.length > 0) {
      const line = Buffer.concat(this.#pending);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#line(line, 0, line.length);
    }
    this.#dispatch();
    this.#afterCr = false;
  }

  #line(buf: Buffer, start: number, end: number): void {
    if (this.#firstLine) {
      this.#firstLine = false;
      // A UTF-8 BOM may open the stream; the spec says to drop it.
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) {
        start += 3;
      }
    }
    const length = end - start;
    if (length === 0) {
      this.#dispatch();
      return;
    }
    // "data" then ":" (value follows, one optional space) or end of line (empty value).
    if (length < 4 || buf[start] !== 0x64 || buf[start + 1] !== 0x61 || buf[start + 2] !== 0x74 || buf[start + 3] !== 0x61) {
      return; // comment, other field, or garbage: nothing to deliver
    }
    let valueStart: number;
    if (length === 4) {
      valueStart = end;
    } else if (buf[start + 4] === COLON) {
      valueStart = length > 5 && buf[start + 5] === SPACE ? start + 6 : start + 5;
    } else {
      return; // a field like "database:" is not "data"
    }
    const value = valueStart >= end ? "" : buf.toString("utf8", valueStart, end);
    if (this.#hasData) {
      // Many short data: lines make one event: its joined size is bounded too.
      if (this.#data.length + value.length + 1 > this.#maxBytes) {
        this.#overflow("event", this.#data.length + value.length + 1);
        return;
      }
      this.#data += "\n" + value;
    } else {
      this.#data = value;
      this.#hasData = true;
    }
  }

  #dispatch(): void {
    if (!this.#hasData) return;
    const data = this.#data;
    this.#data = "";
    this.#hasData = false;
    this.#onEvent(data);
  }
}

/** Decodes a whole body given as reads; convenient for tests and offline replays. */
export function decodeSse(chunks: Iterable<Uint8Array>): string[] {
  const events: string[] = [];
  const decoder = new SseDecoder((data) => events.push(data));
  for (const chunk of chunks) decoder.write(chunk);
  decoder.end();
  return events;
}
