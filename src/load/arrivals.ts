// Owns open-loop arrival processes: inter-arrival gaps for a target rate.
// Poisson = exponential gaps; gamma with shape = burstiness (1 = Poisson, < 1 burstier);
// constant = evenly spaced. Seeded so two runs send at the same instants.

export type ArrivalKind = "poisson" | "gamma" | "constant";

export interface ArrivalOptions {
  kind: ArrivalKind;
  ratePerSec: number;
  /** Gamma shape parameter; ignored for poisson and constant. */
  burstiness: number;
  /** Uniform [0, 1) source; inject a seeded one for reproducibility. */
  random: () => number;
}

/** Returns a generator of gaps in milliseconds whose mean is 1000 / ratePerSec. */
export function arrivalGapsMs(options: ArrivalOptions): () => number {
  const meanGapMs = 1000 / options.ratePerSec;
  const { random } = options;
  switch (options.kind) {
    case "constant":
      return () => meanGapMs;
    case "poisson":
      return () => -Math.log(1 - random()) * meanGapMs;
    case "gamma": {
      const shape = options.burstiness;
      const scale = meanGapMs / shape;
      return () => sampleGamma(shape, random) * scale;
    }
  }
}

function sampleNormal(random: () => number): number {
  // Box-Muller; 1 - u keeps the log argument in (0, 1].
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Marsaglia–Tsang gamma(shape, 1) sampler; shape < 1 uses the boost gamma(shape+1)·U^(1/shape). */
export function sampleGamma(shape: number, random: () => number): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = sampleNormal(random);
    const v = Math.pow(1 + c * x, 3);
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
