// Owns a small derivative-free minimiser (Nelder–Mead simplex) for calibration's few parameters.
// Pure and synchronous in its steps; the objective may be async (each evaluation is a prediction).

export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
}

/**
 * Minimises `f` from `x0` with initial steps `step` (one per coordinate).
 * @example await nelderMead(async ([a = 0]) => (a - 3) ** 2, [0], [1]) // x ≈ [3]
 */
export async function nelderMead(
  f: (x: number[]) => Promise<number>,
  x0: number[],
  step: number[],
  options: { maxEvaluations?: number; tolerance?: number } = {},
): Promise<MinimizeResult> {
  const maxEvaluations = options.maxEvaluations ?? 200;
  const tolerance = options.tolerance ?? 1e-4;
  let evaluations = 0;
  const evalAt = async (x: number[]): Promise<{ x: number[]; v: number }> => {
    evaluations++;
    return { x, v: await f(x) };
  };
  const n = x0.length;
  const simplex = [await evalAt(x0)];
  for (let i = 0; i < n; i++) simplex.push(await evalAt(x0.map((v, j) => (j === i ? v + (step[j] ?? 0.1) : v))));
  const combine = (a: number[], b: number[], t: number): number[] => a.map((v, i) => v + t * ((b[i] ?? 0) - v));
  while (evaluations < maxEvaluations) {
    simplex.sort((p, q) => p.v - q.v);
    const best = simplex[0] as { x: number[]; v: number };
    const worst = simplex[n] as { x: number[]; v: number };
    if (Math.abs(worst.v - best.v) <= tolerance * (Math.abs(best.v) + tolerance)) break;
    const centroid = x0.map((_, i) => simplex.slice(0, n).reduce((a, p) => a + (p.x[i] ?? 0), 0) / n);
    const reflected = await evalAt(combine(centroid, worst.x, -1));
    if (reflected.v < best.v) {
      const expanded = await evalAt(combine(centroid, worst.x, -2));
      simplex[n] = expanded.v < reflected.v ? expanded : reflected;
    } else if (reflected.v < (simplex[n - 1] as { v: number }).v) {
      simplex[n] = reflected;
    } else {
      const contracted = await evalAt(combine(centroid, worst.x, 0.5));
      if (contracted.v < worst.v) simplex[n] = contracted;
      else {
        for (let i = 1; i <= n; i++) simplex[i] = await evalAt(combine(best.x, (simplex[i] as { x: number[] }).x, 0.5));
      }
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  const best = simplex[0] as { x: number[]; v: number };
  return { x: best.x, value: best.v, evaluations };
}
