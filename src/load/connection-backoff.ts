// Owns backing off from a server that stopped accepting connections: after a few connection
// failures in a row the next sends wait (doubling, capped), and once the failures have lasted long
// enough the level should end early, saying since when. Pure: fed outcomes and times, no clock.

export interface BackoffOptions {
  /** Connection failures in a row before sends start to wait (default 3). */
  failuresBeforeBackoff?: number;
  /** First wait, doubled per further failure up to maxDelayMs (defaults 100 and 2000). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** End the level once failures in a row have lasted this long (default 5000)... */
  giveUpAfterMs?: number;
  /** ...and number at least this many (default 8). */
  minFailuresToGiveUp?: number;
}

/**
 * @example
 * const backoff = new ConnectionBackoff();
 * backoff.failed(now); backoff.delayMs(); // 0 until 3 failures in a row, then 100, 200, ... 2000
 * backoff.verdict(now, levelStartMs);     // a reason to end the level once the server is gone
 */
export class ConnectionBackoff {
  readonly #before: number;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #giveUpMs: number;
  readonly #minFailures: number;
  #inARow = 0;
  #firstFailureMs = 0;
  #lastOkMs: number | undefined;

  constructor(options: BackoffOptions = {}) {
    this.#before = options.failuresBeforeBackoff ?? 3;
    this.#initialMs = options.initialDelayMs ?? 100;
    this.#maxMs = options.maxDelayMs ?? 2000;
    this.#giveUpMs = options.giveUpAfterMs ?? 5000;
    this.#minFailures = options.minFailuresToGiveUp ?? 8;
  }

  /** A request could not connect (or lost its connection before any response byte). */
  failed(nowMs: number): void {
    if (this.#inARow === 0) this.#firstFailureMs = nowMs;
    this.#inARow++;
  }

  /** The server answered (any HTTP status counts: it is there). */
  answered(nowMs: number): void {
    this.#inARow = 0;
    this.#lastOkMs = nowMs;
  }

  get failuresInARow(): number {
    return this.#inARow;
  }

  /** How long the next send should wait. */
  delayMs(): number {
    if (this.#inARow < this.#before) return 0;
    return Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(20, this.#inARow - this.#before));
  }

  /** Why the level should end now, or undefined. `levelStartMs` dates the message. */
  verdict(nowMs: number, levelStartMs: number): string | undefined {
    if (this.#inARow < this.#minFailures || nowMs - this.#firstFailureMs < this.#giveUpMs) return undefined;
    const since = ((this.#firstFailureMs - levelStartMs) / 1000).toFixed(1);
    const answered =
      this.#lastOkMs === undefined ? "it never answered in this level" : `it last answered at +${((this.#lastOkMs - levelStartMs) / 1000).toFixed(1)} s`;
    return `the server stopped answering at +${since} s into the level (${this.#inARow} connection failures in a row over ${((nowMs - this.#firstFailureMs) / 1000).toFixed(1)} s; ${answered})`;
  }
}
