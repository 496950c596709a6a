// Owns seeded randomness for workloads: a tiny deterministic PRNG (mulberry32) and seed mixing.
// Never uses Math.random: the same seed must give the same workload on every machine and run.

/**
 * A deterministic generator of floats in [0, 1) (mulberry32, 32-bit state).
 * @example
 * const rng = createRng(42);
 * const dice = 1 + Math.floor(rng() * 6);
 */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixes a seed with salts into a new 32-bit seed, so independent streams (per request index,
 * per purpose) do not overlap the way `seed + index` streams of one generator would.
 */
export function deriveSeed(seed: number, ...salts: number[]): number {
  let h = fmix32((Math.trunc(seed) ^ 0x9e3779b9) >>> 0);
  for (const salt of [...salts, salts.length]) h = fmix32((h ^ Math.trunc(salt)) >>> 0);
  return h;
}

/** MurmurHash3's finalizer: a bijection on 32-bit ints that spreads every input bit. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** An integer in [0, n) from a generator made by {@link createRng}. */
export function randomInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}
