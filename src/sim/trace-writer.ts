// Owns the ground-truth trace: one JSONL line per finished request with the exact time each token
// event was written. Buffered through a file stream; flushed and closed by close().

import { createWriteStream, openSync } from "node:fs";
import type { WriteStream } from "node:fs";
import { BenchError } from "../errors.js";

export interface TraceLine {
  /** The response id (also sent as the x-sim-request-id header). */
  id: string;
  model: string;
  /** When the request's headers were received. All times: performance.timeOrigin + performance.now() ms. */
  arrivalMs: number;
  promptTokens: number;
  completionTokens: number;
  /** When each token event was written to the socket (for non-streaming requests: when it was generated). */
  emitMs: number[];
  /** "stop" | "length", or "abort" when the client went away or the simulator closed first. */
  finishReason: string;
  stream: boolean;
  /** The fault injected into this request (--faults), if any. Tokens held by a stall carry the time they were generated. */
  fault?: string;
}

export class TraceWriter {
  readonly #stream: WriteStream;
  #error: Error | undefined;
  #closed: Promise<void> | undefined;

  /** Opens (truncates) the file now, so a bad path fails at start-up with E_IO rather than at close. */
  constructor(readonly path: string) {
    let fd: number;
    try {
      fd = openSync(path, "w");
    } catch (error) {
      throw new BenchError("E_IO", `cannot open simulator trace ${path}: ${(error as Error).message}`, { cause: error, where: path });
    }
    this.#stream = createWriteStream(path, { fd });
    this.#stream.on("error", (error) => {
      this.#error ??= error;
    });
  }

  write(line: TraceLine): void {
    if (this.#closed === undefined && this.#error === undefined) this.#stream.write(`${JSON.stringify(line)}\n`);
  }

  /** Flushes and closes; rejects with E_IO if the file could not be written. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (this.#stream.destroyed) resolve();
      else this.#stream.end(() => resolve());
      this.#stream.once("error", () => resolve());
    }).then(() => {
      if (this.#error !== undefined) {
        throw new BenchError("E_IO", `cannot write simulator trace ${this.path}: ${this.#error.message}`, {
          cause: this.#error,
          where: this.path,
        });
      }
    });
    return this.#closed;
  }
}
