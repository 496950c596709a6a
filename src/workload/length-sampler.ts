// Owns sampling token lengths from a LengthDist: seeded per request index (request i gets the
// same length however levels split the run), rounded, clipped to the spec's bounds and >= 1.

import { readFileSync } from "node:fs";
import type { LengthDist } from "../config/length-dist.js";
import { BenchError } from "../errors.js";
import { createRng, deriveSeed } from "./random.js";

/** Length of request `index` (>= 1, an integer). */
export type LengthSampler = (index: number) => number;

export interface HistogramBin {
  lo: number;
  hi: number;
  weight: number;
}

/**
 * @example
 * const inputLen = createLengthSampler({ kind: "lognormal", mean: 512, sigma: 0.5 }, 7, 1);
 * inputLen(0); // the same number on every machine for seed 7, salt 1
 */
export function createLengthSampler(dist: LengthDist, seed: number, salt: number, readFile = readText): LengthSampler {
  const draw = drawer(dist, readFile);
  const lo = Math.max(1, Math.ceil(("min" in dist ? dist.min : undefined) ?? 1));
  const hi = Math.floor(("max" in dist ? dist.max : undefined) ?? Number.MAX_SAFE_INTEGER);
  return (index) => {
    const rng = createRng(deriveSeed(seed, salt, index));
    const value = Math.round(draw(rng));
    return Math.min(hi, Math.max(lo, Number.isFinite(value) ? value : lo));
  };
}

function drawer(dist: LengthDist, readFile: (path: string) => string): (rng: () => number) => number {
  switch (dist.kind) {
    case "fixed":
      return () => dist.value;
    case "uniform":
      // Inclusive integer range [min, max].
      return (rng) => Math.floor(dist.min + rng() * (Math.floor(dist.max) - Math.ceil(dist.min) + 1));
    case "normal":
      return (rng) => dist.mean + dist.std * standardNormal(rng);
    case "lognormal": {
      // With `mean`, the lengths' arithmetic mean is `mean`: E[exp(N(mu, s²))] = exp(mu + s²/2).
      const mu = dist.median !== undefined ? Math.log(dist.median) : Math.log(dist.mean ?? 1) - (dist.sigma * dist.sigma) / 2;
      return (rng) => Math.exp(mu + dist.sigma * standardNormal(rng));
    }
    case "histogram": {
      const bins = parseHistogram(readFile(dist.file), dist.file);
      return histogramDrawer(bins);
    }
  }
}

/** Box-Muller; 1 - u keeps the log argument in (0, 1]. */
export function standardNormal(rng: () => number): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Picks a bin by weight, then an integer uniformly inside it. */
export function histogramDrawer(bins: readonly HistogramBin[]): (rng: () => number) => number {
  const cumulative: number[] = [];
  let total = 0;
  for (const bin of bins) cumulative.push((total += bin.weight));
  return (rng) => {
    const x = rng() * total;
    let i = cumulative.findIndex((c) => x < c);
    if (i < 0) i = bins.length - 1;
    const bin = bins[i] as HistogramBin;
    return bin.lo + Math.floor(rng() * (bin.hi - bin.lo + 1));
  };
}

/**
 * Histogram file: one bin per line, `length,weight` or `lo,hi,weight` (commas, tabs or spaces);
 * `#` comments, blank lines and one header line are ignored. Errors name file and line.
 */
export function parseHistogram(text: string, file: string): HistogramBin[] {
  const bins: HistogramBin[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let sawData = false;
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const where = `${file}:${i + 1}`;
    const cells = line.split(/[\s,;]+/);
    const numbers = cells.map(Number);
    if (numbers.some((n) => !Number.isFinite(n))) {
      if (!sawData && bins.length === 0 && cells.some((c) => /[a-z]/i.test(c))) {
        sawData = true; // a header line such as "tokens,count"
        return;
      }
      throw new BenchError("E_DATASET", `${where}: expected "length,weight" or "lo,hi,weight", got "${raw.trim()}"`, { where });
    }
    sawData = true;
    if (numbers.length !== 2 && numbers.length !== 3) {
      throw new BenchError("E_DATASET", `${where}: expected 2 or 3 numbers, got ${numbers.length}`, { where });
    }
    const [a, b, c] = numbers as [number, number, number | undefined];
    const bin = c === undefined ? { lo: a, hi: a, weight: b } : { lo: a, hi: b, weight: c };
    if (!Number.isInteger(bin.lo) || !Number.isInteger(bin.hi) || bin.lo < 1 || bin.hi < bin.lo) {
      throw new BenchError("E_DATASET", `${where}: lengths must be integers >= 1 with lo <= hi`, { where });
    }
    if (!(bin.weight >= 0)) throw new BenchError("E_DATASET", `${where}: weight must be >= 0`, { where });
    bins.push(bin);
  });
  if (bins.length === 0 || bins.every((b) => b.weight === 0)) {
    throw new BenchError("E_DATASET", `${file}: histogram has no bin with a positive weight`, { where: file });
  }
  return bins;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new BenchError("E_DATASET", `${path}: cannot read histogram (${code})`, { where: path, cause });
  }
}
