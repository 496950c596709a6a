// Owns vLLM V1's scheduling decision for one step: decode rows first, then prefill chunks of running
// requests, then new requests from the FCFS waiting queue, within max_num_seqs, the token budget and
// the KV blocks; preemption by recompute when blocks run out; prefix-cache hits on admission.
// No clocks, no callbacks: the engine applies the batch's results when the step ends.

import { answerBlockHash, generatedBlockHash } from "./block-hash.js";
import type { KvBlockPool } from "./kv-cache.js";
import type { StepContext } from "./timing.js";

/** One request inside the engine. */
export interface Seq {
  readonly uid: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  /** Prompt full-block hashes (empty: the prompt can hit only its own blocks). */
  readonly promptHashes: readonly number[];
  /** Ids of the prompt tokens after its last full block, and of generated token i: blocks holding generated tokens are hashed by content. */
  readonly promptTailIds?: readonly number[] | undefined;
  readonly generatedTokenId?: ((i: number) => number) | undefined;
  phase: "frontend" | "waiting" | "running" | "done";
  readyMs: number;
  /** Tokens whose KV is in the cache (prompt, then generated). */
  numComputed: number;
  /** Tokens emitted to the client. */
  generated: number;
  blocks: number[];
  /** Leading blocks whose content hash is registered; lastHash is the hash of the last of them. */
  hashedBlocks: number;
  lastHash: number;
  admitted: boolean;
}

export interface BatchRow {
  seq: Seq;
  /** Tokens computed for this row this step. */
  tokens: number;
  decode: boolean;
  /** Speculative draft tokens verified in this row. */
  draft: number;
}

export interface SchedulerLimits {
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  prefixCaching: boolean;
  draftTokens: number;
}

export interface ScheduleStats {
  preemptions: number;
  prefixQueries: number;
  prefixHits: number;
}

/** FCFS queue with cheap removal at the head and re-insertion at the front (preempted requests). */
export class SeqQueue {
  #items: Seq[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  peek(): Seq | undefined {
    return this.#items[this.#head];
  }
  push(s: Seq): void {
    this.#items.push(s);
  }
  pushFront(s: Seq): void {
    if (this.#head > 0) this.#items[--this.#head] = s;
    else this.#items.unshift(s);
  }
  shift(): Seq | undefined {
    const s = this.#items[this.#head];
    if (s === undefined) return undefined;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return s;
  }
  remove(s: Seq): void {
    const i = this.#items.indexOf(s, this.#head);
    if (i >= 0) this.#items.splice(i, 1);
  }
  toArray(): Seq[] {
    return this.#items.slice(this.#head);
  }
}

/** Hash of a sequence's block `j`: the prompt's own hash; past the prompt's full blocks, by content (prompt tail + generated ids) when the job gave those ids, else unique to the request. */
export function blockHashOf(seq: Seq, j: number, parent: number, blockSize: number): number {
  if (j < seq.promptHashes.length) return seq.promptHashes[j] ?? 0;
  const tail = seq.promptTailIds;
  const generated = seq.generatedTokenId;
  // By content only when the prompt's hashes cover all its full blocks; else unique to the request.
  if (tail === undefined || generated === undefined || seq.promptHashes.length * blockSize + tail.length !== seq.promptTokens) {
    return generatedBlockHash(parent, seq.uid, j);
  }
  return answerBlockHash(parent, j, blockSize, seq.promptTokens, tail, generated);
}

/**
 * Builds the next step's batch, mutating running/waiting and the pool exactly as vLLM V1's
 * Scheduler.schedule() does (simplified: no priorities, no encoder or LoRA budgets).
 */
export function scheduleStep(running: Seq[], waiting: SeqQueue, pool: KvBlockPool, limits: SchedulerLimits, stats: ScheduleStats): BatchRow[] {
  const batch: BatchRow[] = [];
  let budget = limits.maxNumBatchedTokens;
  let preempted = false;
  const bs = pool.blockSize;
  for (let i = 0; i < running.length && budget > 0;) {
    const seq = running[i] as Seq;
    const need = seq.promptTokens + seq.generated - seq.numComputed;
    const decode = need === 1 && seq.generated > 0;
    let tokens = decode ? Math.min(1 + Math.min(limits.draftTokens, seq.outputTokens - seq.generated - 1), budget) : Math.min(need, budget);
    tokens = Math.max(1, tokens);
    let scheduled = true;
    while (!allocate(seq, tokens, pool)) {
      const victim = running.pop() as Seq;
      preempt(victim, pool, waiting);
      stats.preemptions++;
      preempted = true;
      if (victim === seq) {
        scheduled = false;
        break;
      }
    }
    if (!scheduled) break;
    if (limits.prefixCaching) cacheFullBlocks(seq, seq.numComputed + tokens, pool);
    batch.push({ seq, tokens, decode, draft: decode ? tokens - 1 : 0 });
    budget -= tokens;
    i++;
  }
  if (preempted) return batch;
  while (waiting.length > 0 && budget > 0 && running.length < limits.maxNumSeqs) {
    const seq = waiting.peek() as Seq;
    const total = seq.promptTokens + seq.generated;
    const { hits, lastHash } = limits.prefixCaching ? cachedPrefix(seq, total, pool) : NO_HITS;
    const hitTokens = hits.length * bs;
    const tokens = Math.min(total - hitTokens, budget);
    const newBlocks = Math.ceil((hitTokens + tokens) / bs) - hits.length;
    let takenFromFree = 0;
    for (const b of hits) if (pool.isFree(b)) takenFromFree++;
    if (newBlocks + takenFromFree > pool.freeBlocks && !pool.grow(newBlocks + takenFromFree)) break;
    waiting.shift();
    for (const b of hits) pool.touch(b);
    seq.blocks = [...hits];
    seq.numComputed = hitTokens;
    seq.hashedBlocks = hits.length;
    seq.lastHash = lastHash;
    for (let k = 0; k < newBlocks; k++) seq.blocks.push(pool.allocate());
    stats.prefixQueries += total;
    stats.prefixHits += hitTokens;
    seq.phase = "running";
    running.push(seq);
    // Cached as soon as allocated (vLLM V1's allocate_slots → cache_blocks), so the next request of
    // this very step already hits them: 40 identical prompts sent at once share 39 × their full blocks.
    if (limits.prefixCaching) cacheFullBlocks(seq, hitTokens + tokens, pool);
    batch.push({ seq, tokens, decode: false, draft: 0 });
    budget -= tokens;
  }
  return batch;
}

const NO_HITS = { hits: [] as readonly number[], lastHash: 0 };

/** Longest run of cached leading blocks, at most (tokens − 1) tokens: the last token is always recomputed for its logits. */
function cachedPrefix(seq: Seq, total: number, pool: KvBlockPool): { hits: readonly number[]; lastHash: number } {
  const maxBlocks = Math.floor((total - 1) / pool.blockSize);
  const hits: number[] = [];
  let parent = 0;
  let lastHash = 0;
  for (let j = 0; j < maxBlocks; j++) {
    parent = blockHashOf(seq, j, parent, pool.blockSize);
    const b = pool.lookup(parent);
    if (b === undefined) break;
    hits.push(b);
    lastHash = parent;
  }
  return { hits, lastHash };
}

/**
 * Registers the content hash of every full block of `seq` up to `tokens` tokens (capped at the
 * tokens it really has: draft tokens may be rejected), so later lookups find them.
 */
export function cacheFullBlocks(seq: Seq, tokens: number, pool: KvBlockPool): void {
  const known = Math.min(tokens, seq.promptTokens + seq.generated);
  const full = Math.min(Math.floor(known / pool.blockSize), seq.blocks.length);
  for (let j = seq.hashedBlocks; j < full; j++) {
    seq.lastHash = blockHashOf(seq, j, seq.lastHash, pool.blockSize);
    pool.register(seq.blocks[j] as number, seq.lastHash);
  }
  seq.hashedBlocks = Math.max(seq.hashedBlocks, full);
}

/** Makes room for `tokens` more tokens of `seq`; false when the pool has too few free blocks. */
function allocate(seq: Seq, tokens: number, pool: KvBlockPool): boolean {
  const needed = Math.ceil((seq.numComputed + tokens) / pool.blockSize) - seq.blocks.length;
  if (needed > pool.freeBlocks && !pool.grow(needed)) return false;
  for (let k = 0; k < needed; k++) seq.blocks.push(pool.allocate());
  return true;
}

/** Preemption by recompute: the request loses its blocks and re-enters the queue at the front. */
export function preempt(seq: Seq, pool: KvBlockPool, waiting: SeqQueue): void {
  releaseBlocks(seq, pool);
  seq.phase = "waiting";
  waiting.pushFront(seq);
}

/** Frees in reverse order so the tail of a sequence is evicted before its (more shareable) head. */
export function releaseBlocks(seq: Seq, pool: KvBlockPool): void {
  for (let k = seq.blocks.length - 1; k >= 0; k--) pool.release(seq.blocks[k] as number);
  seq.blocks = [];
  seq.numComputed = 0;
  seq.hashedBlocks = 0;
  seq.lastHash = 0;
}

/**
 * Counts the distinct KV blocks the rows of a step read. Blocks shared through the prefix cache
 * are read once per step (vLLM's cascade attention reads a common prefix once for all queries).
 * Sharing only starts at admission (a prefix hit), so while the rows stay the same the count only
 * grows by the blocks they allocate; the full count (one stamp per block) is redone when they change.
 */
export class UniqueBlockCounter {
  #stamp = new Int32Array(0);
  #mark = 0;
  #rows: Seq[] = [];
  #blocks = 0;
  #unique = 0;

  count(rows: readonly BatchRow[], numBlocks: number): number {
    let same = rows.length === this.#rows.length;
    let blocks = 0;
    rows.forEach((row, i) => {
      if (this.#rows[i] !== row.seq) same = false;
      blocks += row.seq.blocks.length;
    });
    if (same && rows.length > 0) {
      this.#unique += blocks - this.#blocks;
      this.#blocks = blocks;
      return this.#unique;
    }
    if (this.#stamp.length < numBlocks) this.#stamp = new Int32Array(numBlocks);
    const mark = ++this.#mark;
    let unique = 0;
    this.#rows = rows.map((r) => r.seq);
    for (const row of rows) {
      for (const b of row.seq.blocks) {
        if (this.#stamp[b] !== mark) {
          this.#stamp[b] = mark;
          unique++;
        }
      }
    }
    this.#blocks = blocks;
    this.#unique = unique;
    return unique;
  }
}

/** What the TimingModel needs to know about a batch. */
export function stepContext(rows: readonly BatchRow[], blockSize: number, draftTokens: number, uniqueBlocks: number): StepContext {
  const ctx: StepContext = {
    running: rows.length,
    contextTokens: 0,
    decodeSeqs: 0,
    decodeTokens: 0,
    prefillTokens: 0,
    prefillAttentionWork: 0,
    prefillContextTokens: 0,
    kvReadTokens: 0,
    sampledRows: 0,
    draftTokens,
  };
  for (const row of rows) {
    const s = row.seq;
    if (row.decode) {
      ctx.decodeSeqs++;
      ctx.decodeTokens += row.tokens;
      ctx.contextTokens += s.numComputed + 1;
      ctx.sampledRows++;
    } else {
      ctx.prefillTokens += row.tokens;
      ctx.prefillAttentionWork += row.tokens * (s.numComputed + row.tokens / 2);
      ctx.prefillContextTokens += s.numComputed + row.tokens;
      if (s.numComputed + row.tokens >= s.promptTokens + s.generated) ctx.sampledRows++;
    }
  }
  ctx.kvReadTokens = Math.min(ctx.contextTokens + ctx.prefillContextTokens, uniqueBlocks * blockSize);
  return ctx;
}
