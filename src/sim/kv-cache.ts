// Owns the paged KV cache: a fixed pool of blocks with reference counts, a hash → block map for
// prefix caching, and an LRU free queue (vLLM V1's BlockPool). Knows nothing about requests.

/**
 * Free blocks sit in one queue ordered by when they were freed; a freed block that is full keeps
 * its hash (its content stays valid) until the block is handed out again, so a later request with
 * the same prefix can take it back: that is a prefix-cache hit. Allocation takes the least
 * recently freed block (LRU eviction).
 */
export class KvBlockPool {
  readonly blockSize: number;
  /** Grows instead of failing when every block is held (the simple timing model's "unlimited" cache). */
  readonly growable: boolean;
  #numBlocks: number;
  #refCount: Int32Array;
  #hash: Float64Array;
  readonly #byHash = new Map<number, number>();
  // Doubly linked free queue over block ids; -1 terminates.
  #prev: Int32Array;
  #next: Int32Array;
  #head = -1;
  #tail = -1;
  #free = 0;
  /** Cached blocks overwritten by a new allocation. */
  evictions = 0;

  constructor(numBlocks: number, blockSize: number, growable = false) {
    this.#numBlocks = numBlocks;
    this.blockSize = blockSize;
    this.growable = growable;
    this.#refCount = new Int32Array(numBlocks);
    this.#hash = new Float64Array(numBlocks).fill(Number.NaN);
    this.#prev = new Int32Array(numBlocks);
    this.#next = new Int32Array(numBlocks);
    for (let b = 0; b < numBlocks; b++) this.#pushTail(b);
  }

  get numBlocks(): number {
    return this.#numBlocks;
  }

  /** Adds at least `needed` free blocks when growable; false otherwise. */
  grow(needed: number): boolean {
    if (!this.growable) return false;
    const old = this.#numBlocks;
    const size = Math.max(old * 2, old + needed);
    const widen = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.#refCount = widen(this.#refCount, (n) => new Int32Array(n));
    this.#hash = widen(this.#hash, (n) => new Float64Array(n).fill(Number.NaN));
    this.#prev = widen(this.#prev, (n) => new Int32Array(n));
    this.#next = widen(this.#next, (n) => new Int32Array(n));
    this.#numBlocks = size;
    for (let b = old; b < size; b++) this.#pushTail(b);
    return true;
  }

  /** Blocks not held by any request (cached or empty). */
  get freeBlocks(): number {
    return this.#free;
  }

  get usedBlocks(): number {
    return this.numBlocks - this.#free;
  }

  /** Hands out the least recently freed block (dropping whatever it cached), or -1 when none is free. */
  allocate(): number {
    const b = this.#head;
    if (b < 0) return -1;
    this.#unlink(b);
    const h = this.#hash[b] ?? Number.NaN;
    if (!Number.isNaN(h)) {
      if (this.#byHash.get(h) === b) this.#byHash.delete(h);
      this.#hash[b] = Number.NaN;
      this.evictions++;
    }
    this.#refCount[b] = 1;
    return b;
  }

  /** The cached block holding this content, if any. */
  lookup(hash: number): number | undefined {
    return this.#byHash.get(hash);
  }

  /** True when taking this block (a cache hit) removes it from the free queue. */
  isFree(block: number): boolean {
    return (this.#refCount[block] ?? 0) === 0;
  }

  /** Takes a reference on a cached block (a prefix-cache hit). */
  touch(block: number): void {
    if ((this.#refCount[block] ?? 0) === 0) this.#unlink(block);
    this.#refCount[block] = (this.#refCount[block] ?? 0) + 1;
  }

  /** Drops one reference; at zero the block joins the free queue's tail, keeping its cached content. */
  release(block: number): void {
    const rc = (this.#refCount[block] ?? 0) - 1;
    this.#refCount[block] = rc;
    if (rc === 0) this.#pushTail(block);
    else if (rc < 0) throw new Error(`KV block ${block} released twice`);
  }

  /** Marks a full block's content; the first block with a given content is the one lookups find. */
  register(block: number, hash: number): void {
    if (!Number.isNaN(this.#hash[block] ?? Number.NaN)) return;
    this.#hash[block] = hash;
    if (!this.#byHash.has(hash)) this.#byHash.set(hash, block);
  }

  #pushTail(b: number): void {
    this.#prev[b] = this.#tail;
    this.#next[b] = -1;
    if (this.#tail >= 0) this.#next[this.#tail] = b;
    else this.#head = b;
    this.#tail = b;
    this.#free++;
  }

  #unlink(b: number): void {
    const p = this.#prev[b] ?? -1;
    const n = this.#next[b] ?? -1;
    if (p >= 0) this.#next[p] = n;
    else this.#head = n;
    if (n >= 0) this.#prev[n] = p;
    else this.#tail = p;
    this.#free--;
  }
}
