// Owns number and label formatting shared by the text renderers (console, markdown, csv, environment table).

export function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? "" : value.toFixed(digits);
}

/** "10000" when every request had the same count, "min–max" otherwise. */
export function tokenRange(d: { min: number; max: number } | undefined): string {
  if (!d) return "";
  return d.min === d.max ? String(d.min) : `${d.min}–${d.max}`;
}

export function loadLabel(load: { kind: string; concurrency?: number; rate_per_s?: number }): string {
  return load.kind === "concurrency" ? `c=${load.concurrency}` : `${load.rate_per_s}/s`;
}

/** What was benchmarked: the URL, or the embedded simulator and the engine it ran. */
export function targetText(run: { target: string; embedded_simulator: boolean; simulator?: { description: string } }): string {
  if (!run.embedded_simulator) return run.target;
  return run.simulator === undefined ? "embedded simulator" : `embedded simulator: ${run.simulator.description}`;
}

/** One sentence for `--profile slo-search`: the highest load that met the SLO and how sure the search is. */
export function sloSearchText(run: {
  slo_max_rate_per_s?: number | null;
  slo_max_concurrency?: number | null;
  slo_search?: { by: "rate" | "concurrency"; slo: string; probes: number; converged: boolean; failed_above: number | null };
}): string | undefined {
  const s = run.slo_search;
  if (s === undefined) return undefined;
  const unit = s.by === "rate" ? " req/s" : " concurrent requests";
  const best = s.by === "rate" ? run.slo_max_rate_per_s : run.slo_max_concurrency;
  // No probe above the best failed: the search ran out of probes while doubling, so the best is
  // only where it stopped, a lower bound of the capacity, never the capacity itself.
  const ceiling = best !== null && best !== undefined && s.failed_above === null;
  const head =
    best === null || best === undefined
      ? `no probed load met ${s.slo}`
      : ceiling
        ? `every probed load met ${s.slo}: the capacity is above ${best}${unit}, the highest probed (raise --slo-max-levels or --slo-start to find it)`
        : `${best}${unit} is the highest load that met ${s.slo}`;
  const above = s.failed_above === null ? "" : `; ${s.failed_above}${unit} failed`;
  return `${head} (${s.probes} probes${above}${s.converged || ceiling ? "" : "; not converged: raise --slo-max-levels"})`;
}
