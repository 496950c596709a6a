// Owns ending a level whose server refuses every request outright (HTTP 401, 403, 404, 405: a
// wrong key, model or URL, which no retry fixes): after enough refusals in a row and no success in
// the level, the level ends, saying so, instead of writing a thousand error records a second.
// Overload answers (429, 5xx) are measurements, not refusals: they never end a level here. Pure.

/** Statuses that say "this request will never work as sent". */
const REFUSALS = new Set([401, 403, 404, 405]);

export interface RefusalStopOptions {
  /** Refusals in a row, with no success in the level, before it ends (default 20). */
  refusalsToStop?: number;
}

/**
 * @example
 * const refusals = new RefusalStop();
 * refusals.noted(401, false); // … 20 times
 * refusals.verdict();         // "the server refused all 20 requests of the level so far (HTTP 401: …)"
 */
export class RefusalStop {
  readonly #needed: number;
  #inARow = 0;
  #succeeded = false;
  #status: number | undefined;
  #message = "";

  constructor(options: RefusalStopOptions = {}) {
    this.#needed = options.refusalsToStop ?? 20;
  }

  /** One finished request: its HTTP error status (undefined when it got a stream or never reached the server) and whether it succeeded. */
  noted(httpStatus: number | undefined, ok: boolean, message = ""): void {
    if (ok) this.#succeeded = true;
    if (httpStatus !== undefined && REFUSALS.has(httpStatus)) {
      if (this.#inARow === 0) {
        this.#status = httpStatus;
        this.#message = message;
      }
      this.#inARow++;
    } else this.#inARow = 0;
  }

  /** Why the level should end now, or undefined. */
  verdict(): string | undefined {
    if (this.#succeeded || this.#inARow < this.#needed || this.#status === undefined) return undefined;
    const first = this.#message.split("\n")[0]?.slice(0, 160) ?? "";
    return `the server refused all ${this.#inARow} requests of the level so far (HTTP ${this.#status}${first === "" ? "" : `: ${first}`}); ended early rather than send more that cannot succeed`;
  }
}
