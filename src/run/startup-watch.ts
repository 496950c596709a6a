// Owns start-up waits: each step (a probe, the readiness wait) says on stderr what it is waiting
// for once it has taken 2 s, and the run's abort signal ends the wait at once (E_INTERRUPTED),
// whatever the step itself does with the signal. Steps stay bounded by their own deadlines.

import { monotonicNowMs } from "../clock.js";
import { BenchError } from "../errors.js";
import type { ProgressListener } from "./progress.js";

export class StartupWatch {
  readonly #emit: ProgressListener;
  readonly #signal: AbortSignal;
  readonly #noticeAfterMs: number;
  readonly #repeatMs: number;

  constructor(emit: ProgressListener, signal: AbortSignal, noticeAfterMs = 2000, repeatMs = 10_000) {
    this.#emit = emit;
    this.#signal = signal;
    this.#noticeAfterMs = noticeAfterMs;
    this.#repeatMs = repeatMs;
  }

  /** Runs one start-up step; rejects with E_INTERRUPTED as soon as the run is aborted. */
  async step<T>(what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#signal.aborted) throw interrupted(what);
    const startedMs = monotonicNowMs();
    let timer: NodeJS.Timeout | undefined;
    const notice = (): void => {
      const s = ((monotonicNowMs() - startedMs) / 1000).toFixed(0);
      this.#emit({ kind: "info", message: `still waiting for ${what} (${s} s so far; Ctrl-C stops)` });
      timer = setTimeout(notice, this.#repeatMs);
    };
    timer = setTimeout(notice, this.#noticeAfterMs);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(interrupted(what));
      this.#signal.addEventListener("abort", onAbort, { once: true });
    });
    const running = work(this.#signal);
    // If the abort wins, the step's own later failure must not surface as an unhandled rejection.
    running.catch(() => undefined);
    try {
      return await Promise.race([running, aborted]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) this.#signal.removeEventListener("abort", onAbort);
    }
  }
}

function interrupted(what: string): BenchError {
  return new BenchError("E_INTERRUPTED", `interrupted while waiting for ${what}`);
}
