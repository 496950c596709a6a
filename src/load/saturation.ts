// Owns deciding that a level should stop early: the error rate passed --max-error-rate, or an
// open loop is over-saturated (queue wait grows without bound). Pure: fed numbers, never a clock.
// Closed loops limit themselves (a slow server just lowers the offered load), so the queue test
// applies to open loops (rate, trace) only.

export interface SaturationOptions {
  /** Stop when errors / finished requests exceeds this (after minFinished). */
  maxErrorRate?: number | undefined;
  /** Detect unbounded queue growth (open loops). */
  detectQueueGrowth: boolean;
  /** Finished requests before any verdict (default 20; the queue test needs 4 windows of >= 8). */
  minFinished?: number;
}

export interface FinishedRequest {
  ok: boolean;
  /** Scheduled send → first token; includes every queue (client cap, server waiting list). */
  waitMs?: number | undefined;
  /** Requests in flight when this one was sent, itself included. */
  inFlightAtSend: number;
}

const WINDOWS = 4;
const MIN_WINDOW = 8;
/** The last window's median wait must be this many times the first's, and in-flight must grow by this factor. */
const GROWTH = 2;
const IN_FLIGHT_GROWTH = 1.5;

/**
 * @example
 * const guard = new SaturationGuard({ maxErrorRate: 0.1, detectQueueGrowth: true });
 * guard.finished({ ok: true, waitMs: 35, inFlightAtSend: 3 });
 * guard.verdict(); // undefined while healthy; a reason string once the level should stop
 */
export class SaturationGuard {
  readonly #options: SaturationOptions;
  readonly #done: FinishedRequest[] = [];
  #errors = 0;
  #verdict: string | undefined;

  constructor(options: SaturationOptions) {
    this.#options = options;
  }

  finished(request: FinishedRequest): void {
    this.#done.push(request);
    if (!request.ok) this.#errors++;
    if (this.#verdict === undefined) this.#verdict = this.#evaluate();
  }

  /** Why the level should stop, once known (sticky). */
  verdict(): string | undefined {
    return this.#verdict;
  }

  #evaluate(): string | undefined {
    const n = this.#done.length;
    const minFinished = this.#options.minFinished ?? 20;
    if (n < minFinished) return undefined;
    const maxErrorRate = this.#options.maxErrorRate;
    if (maxErrorRate !== undefined && this.#errors / n > maxErrorRate) {
      return `error rate ${pct(this.#errors / n)} passed --max-error-rate ${pct(maxErrorRate)} after ${n} requests`;
    }
    if (!this.#options.detectQueueGrowth || n < WINDOWS * MIN_WINDOW || n % MIN_WINDOW !== 0) return undefined;
    return queueGrowth(this.#done);
  }
}

/**
 * Splits finished requests into 4 equal windows (finish order); saturated when the median wait
 * rises in every window, ends at least 2× the first window's, and in-flight grew by 1.5× too
 * (so a slow but steady server, or one burst, does not trip it).
 */
export function queueGrowth(done: readonly FinishedRequest[]): string | undefined {
  const size = Math.floor(done.length / WINDOWS);
  const windows = Array.from({ length: WINDOWS }, (_, w) => done.slice(w * size, (w + 1) * size));
  const waits = windows.map((win) => median(win.flatMap((r) => (r.ok && r.waitMs !== undefined ? [r.waitMs] : []))));
  const inFlight = windows.map((win) => median(win.map((r) => r.inFlightAtSend)));
  const rising = waits.every((w, i) => i === 0 || w > (waits[i - 1] as number));
  const first = waits[0] as number;
  const last = waits[WINDOWS - 1] as number;
  const grew = (inFlight[WINDOWS - 1] as number) >= IN_FLIGHT_GROWTH * Math.max(1, inFlight[0] as number);
  if (!rising || !(last >= GROWTH * first) || !grew) return undefined;
  return `over-saturated: median wait rose ${first.toFixed(0)} → ${last.toFixed(0)} ms and in-flight ${inFlight[0]} → ${inFlight[WINDOWS - 1]} over ${done.length} requests`;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
