// Owns the step-based scheduler loop: admission (up to maxNumSeqs), prefill delay, and decode steps
// at which every running stream produces one token. Knows nothing about HTTP or wire formats;
// durations come only from the TimingModel and time only from the SchedulerClock.

import type { SchedulerClock } from "./scheduler-clock.js";
import type { TimingModel } from "./timing.js";

export interface EngineJob {
  readonly promptTokens: number;
  /** Tokens to produce, including a final EOS token if the plan ends on one (>= 1). */
  readonly outputTokens: number;
  /** The job left the waiting queue at `atMs` (immediately when there was room). */
  onAdmitted(atMs: number): void;
  /** Token `index` (0-based) is ready at the step boundary `stepAtMs`; `last` marks the final one. */
  onToken(index: number, stepAtMs: number, last: boolean): void;
}

export interface EngineTicket {
  /** Drops the job wherever it is (waiting, prefill or decode); no further callbacks. */
  cancel(): void;
}

export interface EngineOptions {
  timing: TimingModel;
  clock: SchedulerClock;
  /** Admission limit; more requests wait in FIFO order. @defaultValue Infinity */
  maxNumSeqs?: number;
}

type Phase = "waiting" | "prefill" | "decode" | "done";

interface Slot {
  readonly job: EngineJob;
  phase: Phase;
  readyMs: number;
  emitted: number;
}

/**
 * One token per running stream per step. The first token of a request is emitted at the first step
 * boundary at or after admission + ttftMs; when nothing is decoding, that boundary is the ready time
 * itself. Boundaries are computed from the previous *scheduled* boundary, never from the time the
 * timer actually fired, so lateness does not accumulate; a late wake-up runs every overdue step.
 */
export class StepEngine {
  readonly #timing: TimingModel;
  readonly #clock: SchedulerClock;
  readonly #maxNumSeqs: number;
  #waiting: Slot[] = [];
  #prefill: Slot[] = [];
  #decode: Slot[] = [];
  #nextStepMs: number | undefined;
  #wakeAtMs: number | undefined;
  #cancelWake: (() => void) | undefined;
  #steps = 0;
  #stopped = false;
  #inTick = false;

  constructor(options: EngineOptions) {
    this.#timing = options.timing;
    this.#clock = options.clock;
    this.#maxNumSeqs = options.maxNumSeqs ?? Number.POSITIVE_INFINITY;
  }

  /** Requests admitted: prefilling or decoding. */
  get running(): number {
    return this.#prefill.length + this.#decode.length;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Decode steps run so far. */
  get steps(): number {
    return this.#steps;
  }

  /** KV blocks held by admitted requests (prompt + generated tokens, rounded up per request). */
  kvBlocksInUse(blockSize: number): number {
    let blocks = 0;
    for (const s of this.#prefill) blocks += Math.ceil(s.job.promptTokens / blockSize);
    for (const s of this.#decode) blocks += Math.ceil((s.job.promptTokens + s.emitted) / blockSize);
    return blocks;
  }

  submit(job: EngineJob): EngineTicket {
    const slot: Slot = { job, phase: "waiting", readyMs: 0, emitted: 0 };
    if (this.#stopped) slot.phase = "done";
    else if (this.running < this.#maxNumSeqs) this.#admit(slot, this.#clock.nowMs());
    else this.#waiting.push(slot);
    this.#schedule();
    return { cancel: () => this.#cancel(slot) };
  }

  /** Cancels the pending wake-up and forgets every job without calling them back. */
  stop(): void {
    this.#stopped = true;
    for (const s of [...this.#waiting, ...this.#prefill, ...this.#decode]) s.phase = "done";
    this.#waiting = [];
    this.#prefill = [];
    this.#decode = [];
    this.#cancelWake?.();
    this.#cancelWake = undefined;
    this.#wakeAtMs = undefined;
  }

  #admit(slot: Slot, atMs: number): void {
    const ctx = { promptTokens: slot.job.promptTokens, running: this.running, waiting: this.#waiting.length };
    slot.phase = "prefill";
    slot.readyMs = atMs + this.#timing.ttftMs(ctx);
    this.#prefill.push(slot);
    slot.job.onAdmitted(atMs);
  }

  #cancel(slot: Slot): void {
    const phase = slot.phase;
    slot.phase = "done";
    if (phase === "waiting") remove(this.#waiting, slot);
    else if (phase === "prefill") remove(this.#prefill, slot);
    else if (phase === "decode" && !this.#inTick) remove(this.#decode, slot);
    // Inside a tick the step compacts the batch, admits and reschedules itself.
    if (phase === "done" || this.#inTick) return;
    if (this.#decode.length === 0) this.#nextStepMs = undefined;
    this.#admitWaiting(this.#clock.nowMs());
    this.#schedule();
  }

  #admitWaiting(atMs: number): void {
    while (this.#waiting.length > 0 && this.running < this.#maxNumSeqs && !this.#stopped) {
      const slot = this.#waiting.shift();
      if (slot !== undefined) this.#admit(slot, atMs);
    }
  }

  /** When the next step must run: the decode grid if anything decodes, else the earliest ready prefill. */
  #nextDueMs(): number | undefined {
    if (this.#decode.length > 0) return this.#nextStepMs;
    let earliest: number | undefined;
    for (const s of this.#prefill) if (earliest === undefined || s.readyMs < earliest) earliest = s.readyMs;
    return earliest;
  }

  #schedule(): void {
    if (this.#stopped || this.#inTick) return;
    const dueMs = this.#nextDueMs();
    if (dueMs === this.#wakeAtMs) return;
    this.#cancelWake?.();
    this.#cancelWake = undefined;
    this.#wakeAtMs = dueMs;
    if (dueMs !== undefined) this.#cancelWake = this.#clock.wakeAt(dueMs, () => this.#tick());
  }

  #tick(): void {
    this.#cancelWake = undefined;
    this.#wakeAtMs = undefined;
    const nowMs = this.#clock.nowMs();
    this.#inTick = true;
    try {
      for (let dueMs = this.#nextDueMs(); dueMs !== undefined && dueMs <= nowMs && !this.#stopped; dueMs = this.#nextDueMs()) {
        this.#step(dueMs);
      }
    } finally {
      this.#inTick = false;
    }
    this.#schedule();
  }

  #step(atMs: number): void {
    this.#steps++;
    if (this.#prefill.some((s) => s.readyMs <= atMs)) {
      const stillPrefilling: Slot[] = [];
      for (const s of this.#prefill) {
        if (s.readyMs <= atMs) {
          s.phase = "decode";
          this.#decode.push(s);
        } else stillPrefilling.push(s);
      }
      this.#prefill = stillPrefilling;
    }
    const batch = this.#decode;
    const survivors: Slot[] = [];
    for (const s of batch) {
      if (s.phase !== "decode") continue; // cancelled by an earlier callback in this step
      const index = s.emitted++;
      const last = s.emitted >= s.job.outputTokens;
      if (last) s.phase = "done";
      s.job.onToken(index, atMs, last);
      if (s.phase === "decode") survivors.push(s);
    }
    // A later callback in this step may have cancelled a survivor.
    this.#decode = survivors.filter((s) => s.phase === "decode");
    let contextTokens = 0;
    for (const s of this.#decode) contextTokens += s.job.promptTokens + s.emitted;
    this.#admitWaiting(atMs);
    this.#nextStepMs =
      this.#decode.length > 0 ? atMs + this.#timing.stepMs({ running: this.#decode.length, contextTokens }) : undefined;
  }
}

function remove(list: Slot[], slot: Slot): void {
  const i = list.indexOf(slot);
  if (i >= 0) list.splice(i, 1);
}
