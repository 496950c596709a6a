// Owns the engine's life in time: the API-server hold before a request reaches the scheduler, one
// step in flight at a time (its duration from the TimingModel), and token emission at step ends.
// Knows nothing about HTTP or wire formats; time comes only from the SchedulerClock, so the same
// engine runs on the wall clock (simulate) and in virtual time (predict, tests).

import { KvBlockPool } from "./kv-cache.js";
import { mulberry32 } from "./output-plan.js";
import { positionAcceptance } from "./spec-decode.js";
import { SeqQueue, UniqueBlockCounter, blockHashOf, cacheFullBlocks, releaseBlocks, scheduleStep, stepContext } from "./scheduler.js";
import type { BatchRow, ScheduleStats, SchedulerLimits, Seq } from "./scheduler.js";
import type { SchedulerClock } from "./scheduler-clock.js";
import type { StepContext, TimingModel } from "./timing.js";

export interface EngineJob {
  readonly promptTokens: number;
  /** Tokens to produce, including a final EOS token if the plan ends on one (>= 1). */
  readonly outputTokens: number;
  /** Hashes of the prompt's full KV blocks (block-hash.ts); absent = no cross-request prefix hits. */
  readonly promptHashes?: readonly number[] | undefined;
  /** Ids of the prompt's tokens after its last full block, and of generated token i (block-hash.ts): with both, a later prompt repeating this prompt and its answer hits the answer's blocks. */
  readonly promptTailIds?: readonly number[] | undefined;
  readonly generatedTokenId?: ((i: number) => number) | undefined;
  /** The job left the waiting queue for the first time at `atMs` (a step start). */
  /** `cachedTokens`: leading prompt tokens found in the prefix cache at admission (llama.cpp cache_n). */
  onAdmitted(atMs: number, cachedTokens: number): void;
  /** Tokens first … first+count−1 are ready at the step end `atMs` (count > 1 with speculative decoding). */
  onTokens(first: number, count: number, atMs: number, last: boolean): void;
  /** The job can never run (it needs more KV blocks than the whole cache); no other callback follows. */
  onRejected?(reason: string): void;
}

export interface EngineTicket {
  /** Drops the job wherever it is (frontend, waiting, running); frees its blocks; no further callbacks. */
  cancel(): void;
}

export interface SpecDecodeOptions {
  /** Draft tokens proposed per step (k). */
  draftTokens: number;
  /** Chance that the first draft token is accepted; later positions less (spec-decode.ts). */
  acceptanceRate: number;
  seed: number;
}

/** What one step did, for tests and predict's accounting. */
export interface StepRecord {
  startMs: number;
  durationMs: number;
  ctx: StepContext;
  scheduledTokens: number;
  usedBlocks: number;
  numBlocks: number;
}

export interface EngineOptions {
  timing: TimingModel;
  clock: SchedulerClock;
  /** @defaultValue Infinity */
  maxNumSeqs?: number | undefined;
  /** Per-step token budget (chunked prefill). @defaultValue Infinity */
  maxNumBatchedTokens?: number | undefined;
  /** @defaultValue 1 << 16 (growable) */
  kvBlocks?: number | undefined;
  /** True: the pool never runs out (it grows), so nothing is ever preempted. @defaultValue false */
  kvGrowable?: boolean | undefined;
  /** @defaultValue 16 */
  blockSize?: number | undefined;
  /** @defaultValue true */
  prefixCaching?: boolean | undefined;
  spec?: SpecDecodeOptions | undefined;
  /** The engine's first step takes this much longer: a freshly started server's one-time warm-up. @defaultValue 0 */
  coldStartMs?: number | undefined;
  onStep?: ((step: StepRecord) => void) | undefined;
}

interface Slot extends Seq {
  readonly job: EngineJob;
}

export class StepEngine {
  readonly #timing: TimingModel;
  readonly #clock: SchedulerClock;
  readonly #limits: SchedulerLimits;
  readonly #pool: KvBlockPool;
  readonly #spec: SpecDecodeOptions | undefined;
  readonly #random: () => number;
  readonly #onStep: ((step: StepRecord) => void) | undefined;
  readonly #stats: ScheduleStats = { preemptions: 0, prefixQueries: 0, prefixHits: 0 };
  #frontend: Slot[] = [];
  #waiting = new SeqQueue();
  #running: Slot[] = [];
  #inFlight: { rows: BatchRow[]; endMs: number } | undefined;
  /** Pending wake-ups by due time. Never cancelled while running: an early one simply re-arms. */
  readonly #wakes = new Map<number, () => void>();
  #uid = 0;
  #steps = 0;
  #stopped = false;
  #busy = false;
  /** Still owed by the next step (only the first step pays it). */
  #coldStartMs: number;
  readonly #unique = new UniqueBlockCounter();

  constructor(options: EngineOptions) {
    this.#timing = options.timing;
    this.#clock = options.clock;
    const spec = options.spec !== undefined && options.spec.draftTokens > 0 ? options.spec : undefined;
    this.#limits = {
      maxNumSeqs: options.maxNumSeqs ?? Number.POSITIVE_INFINITY,
      maxNumBatchedTokens: options.maxNumBatchedTokens ?? Number.POSITIVE_INFINITY,
      prefixCaching: options.prefixCaching ?? true,
      draftTokens: spec?.draftTokens ?? 0,
    };
    this.#pool = new KvBlockPool(options.kvBlocks ?? 1 << 16, options.blockSize ?? 16, options.kvGrowable ?? options.kvBlocks === undefined);
    this.#spec = spec;
    this.#random = mulberry32(spec?.seed ?? 0);
    this.#onStep = options.onStep;
    this.#coldStartMs = options.coldStartMs ?? 0;
  }

  /** Requests in the running batch (prefilling or decoding). */
  get running(): number {
    return this.#running.length;
  }

  /** Requests in the FCFS waiting queue (new or preempted). */
  get waiting(): number {
    return this.#waiting.length;
  }

  get steps(): number {
    return this.#steps;
  }

  get preemptions(): number {
    return this.#stats.preemptions;
  }

  /** Prompt tokens looked up in the prefix cache, and how many were found (vLLM's prefix_cache_queries/hits). */
  get prefixCache(): { queries: number; hits: number } {
    return { queries: this.#stats.prefixQueries, hits: this.#stats.prefixHits };
  }

  get kvBlocks(): { used: number; total: number } {
    return { used: this.#pool.usedBlocks, total: this.#pool.numBlocks };
  }

  submit(job: EngineJob): EngineTicket {
    const now = this.#clock.nowMs();
    const slot: Slot = {
      job,
      uid: ++this.#uid,
      promptTokens: job.promptTokens,
      outputTokens: Math.max(1, job.outputTokens),
      promptHashes: job.promptHashes ?? [],
      promptTailIds: job.promptTailIds,
      generatedTokenId: job.generatedTokenId,
      phase: "frontend",
      readyMs: 0,
      numComputed: 0,
      generated: 0,
      blocks: [],
      hashedBlocks: 0,
      lastHash: 0,
      admitted: false,
    };
    if (this.#stopped) {
      slot.phase = "done";
      return { cancel: () => undefined };
    }
    slot.readyMs = now + this.#timing.ttftMs({ promptTokens: job.promptTokens, running: this.running, waiting: this.waiting });
    const i = this.#frontend.findIndex((s) => s.readyMs > slot.readyMs);
    if (i < 0) this.#frontend.push(slot);
    else this.#frontend.splice(i, 0, slot);
    this.#advance(now);
    return { cancel: () => this.#cancel(slot) };
  }

  /** Cancels the pending wake-up and forgets every job without calling them back. */
  stop(): void {
    this.#stopped = true;
    for (const s of [...this.#frontend, ...(this.#waiting.toArray() as Slot[]), ...this.#running]) s.phase = "done";
    this.#frontend = [];
    this.#waiting = new SeqQueue();
    this.#running = [];
    this.#inFlight = undefined;
    for (const cancel of this.#wakes.values()) cancel();
    this.#wakes.clear();
  }

  #cancel(slot: Slot): void {
    const phase = slot.phase;
    if (phase === "done") return;
    slot.phase = "done";
    if (phase === "frontend") this.#frontend.splice(this.#frontend.indexOf(slot), 1);
    else if (phase === "waiting") this.#waiting.remove(slot);
    else {
      const i = this.#running.indexOf(slot);
      if (i >= 0) this.#running.splice(i, 1);
      releaseBlocks(slot, this.#pool);
    }
    if (!this.#busy) this.#advance(this.#clock.nowMs());
  }

  /** Runs every event due by `nowMs` at its own time (so a late wake-up never shifts the grid), then re-arms. */
  #advance(nowMs: number): void {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      for (;;) {
        const readyMs = this.#frontend[0]?.readyMs ?? Infinity;
        const endMs = this.#inFlight?.endMs ?? Infinity;
        const atMs = Math.min(readyMs, endMs);
        if (atMs > nowMs || this.#stopped) break;
        if (readyMs <= endMs) {
          // Everything the API server hands over at this instant joins the same schedule() call.
          while ((this.#frontend[0]?.readyMs ?? Infinity) <= atMs) {
            const slot = this.#frontend.shift() as Slot;
            slot.phase = "waiting";
            this.#waiting.push(slot);
          }
        } else this.#finishStep(endMs);
        if (this.#inFlight === undefined) this.#startStep(atMs);
      }
    } finally {
      this.#busy = false;
    }
    this.#arm();
  }

  /**
   * Makes sure a wake-up is pending at or before the next due event. An earlier pending wake-up is
   * enough (it re-arms when it fires), so none is ever cancelled: cheaper in virtual time, where a
   * cancelled timer would still cost an event.
   */
  #arm(): void {
    if (this.#stopped) return;
    const dueMs = Math.min(this.#frontend[0]?.readyMs ?? Infinity, this.#inFlight?.endMs ?? Infinity);
    if (dueMs === Infinity) return;
    for (const atMs of this.#wakes.keys()) if (atMs <= dueMs) return;
    const cancel = this.#clock.wakeAt(dueMs, () => {
      this.#wakes.delete(dueMs);
      this.#advance(this.#clock.nowMs());
    });
    this.#wakes.set(dueMs, cancel);
  }

  #startStep(atMs: number): void {
    if (this.#running.length === 0 && this.#waiting.length === 0) return;
    let rows = scheduleStep(this.#running, this.#waiting, this.#pool, this.#limits, this.#stats);
    // A step that only preempted leaves blocks free for the next attempt.
    if (rows.length === 0) rows = scheduleStep(this.#running, this.#waiting, this.#pool, this.#limits, this.#stats);
    if (rows.length === 0) {
      if (this.#running.length > 0) return;
      const head = this.#waiting.shift() as Slot | undefined;
      if (head === undefined) return;
      head.phase = "done";
      head.job.onRejected?.(
        `needs ${Math.ceil((head.promptTokens + head.outputTokens) / this.#pool.blockSize)} KV blocks, the cache has ${this.#pool.numBlocks}`,
      );
      this.#startStep(atMs);
      return;
    }
    for (const row of rows) {
      const slot = row.seq as Slot;
      if (!slot.admitted) {
        slot.admitted = true;
        slot.job.onAdmitted(atMs, slot.numComputed);
      }
    }
    // Without prefix caching no block is shared: every row reads its own context.
    const unique = this.#limits.prefixCaching ? this.#unique.count(rows, this.#pool.numBlocks) : Infinity;
    const ctx = stepContext(rows, this.#pool.blockSize, this.#limits.draftTokens, unique);
    const durationMs = Math.max(0, this.#timing.stepMs(ctx)) + this.#coldStartMs;
    this.#coldStartMs = 0;
    this.#steps++;
    this.#inFlight = { rows, endMs: atMs + durationMs };
    this.#onStep?.({
      startMs: atMs,
      durationMs,
      ctx,
      scheduledTokens: ctx.decodeTokens + ctx.prefillTokens,
      usedBlocks: this.#pool.usedBlocks,
      numBlocks: this.#pool.numBlocks,
    });
  }

  #finishStep(endMs: number): void {
    const rows = this.#inFlight?.rows ?? [];
    this.#inFlight = undefined;
    let finished = false;
    for (const row of rows) {
      const slot = row.seq as Slot;
      if (slot.phase !== "running") continue; // cancelled during the step
      let accepted = 0;
      if (row.decode) {
        const p = this.#spec?.acceptanceRate ?? 0;
        while (accepted < row.draft && this.#random() < positionAcceptance(p, accepted)) accepted++;
        slot.numComputed += 1 + accepted;
      } else slot.numComputed += row.tokens;
      if (this.#limits.prefixCaching) cacheFullBlocks(slot, slot.numComputed, this.#pool);
      if (slot.numComputed < slot.promptTokens + slot.generated) continue; // a prefill chunk that did not finish
      const first = slot.generated;
      const count = Math.min(1 + accepted, slot.outputTokens - first);
      slot.generated += count;
      const last = slot.generated >= slot.outputTokens;
      if (last) {
        slot.phase = "done";
        releaseBlocks(slot, this.#pool);
        finished = true;
      }
      slot.job.onTokens(first, count, endMs, last);
    }
    if (finished || rows.some((r) => r.seq.phase === "done")) this.#running = this.#running.filter((s) => s.phase === "running");
  }
}
