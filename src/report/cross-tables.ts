// Owns the tables across runs or plan cells: per-configuration totals (seed 000), per-cell
// metrics (seed 003), engine/preset comparison with ratios to a baseline (seed 002), and a
// two-valued matrix dimension side by side with its speedup (seed 003's pipeline vs tensor).

import type { LevelSummary } from "../metrics/level.js";
import { loadText, loadValue } from "./analysis.js";
import { varyingDimensions, type DiscoveredRun } from "./discover.js";
import { slug } from "./escape.js";
import type { CellValue, Column, Table } from "./table.js";

export interface RunTotals {
  timeS: number;
  outputTokens: number;
  completed: number;
  tokensPerS: number;
  requestPerS: number;
}

/** Seed 000's totals: the levels' durations and tokens added up. */
export function runTotals(run: DiscoveredRun): RunTotals {
  const levels = run.summary.levels;
  const timeS = levels.reduce((a, l) => a + l.duration_s, 0);
  const outputTokens = levels.reduce((a, l) => a + l.output_tokens_total, 0);
  const completed = levels.reduce((a, l) => a + l.requests.completed, 0);
  // One level: its own throughput (an imported row's figure may not equal tokens / time exactly).
  const only = levels.length === 1 ? levels[0] : undefined;
  const tokensPerS = only ? only.output_tokens_per_s : timeS > 0 ? outputTokens / timeS : 0;
  return { timeS, outputTokens, completed, tokensPerS, requestPerS: timeS > 0 ? completed / timeS : 0 };
}

/** Prompt throughput, or null when the run never knew its prompt tokens (an import without them). */
export function promptTps(run: DiscoveredRun, l: LevelSummary): number | null {
  return run.imported && l.input_tokens_total === 0 ? null : l.input_tokens_per_s;
}

/** Seed 000: Metric rows × one column per configuration (rows per configuration past 6). */
export function configurationTable(runs: readonly DiscoveredRun[]): Table {
  const totals = runs.map(runTotals);
  const metrics: Array<[string, string, (t: RunTotals) => number, number]> = [
    ["total_run_time_s", "Total run time (sec)", (t) => t.timeS, 2],
    ["total_tokens_generated", "Total tokens generated", (t) => t.outputTokens, 0],
    ["tokens_per_s", "Throughput (tokens/sec)", (t) => t.tokensPerS, 2],
    ["requests_per_s", "Throughput (requests/sec)", (t) => t.requestPerS, 3],
  ];
  if (runs.length <= 6) {
    return {
      id: "configurations",
      title: "Per configuration",
      // Transposed like the seed: each row has its own precision, so cells are preformatted.
      columns: [{ key: "metric", title: "Metric" }, ...runs.map((r) => ({ key: slug(r.label), title: r.label }))],
      rows: metrics.map(([, title, f, digits]) => [title, ...totals.map((t) => f(t).toFixed(digits))]),
      notes: ["Total run time adds up the measured levels' durations; tokens are output tokens of successful requests."],
    };
  }
  return {
    id: "configurations",
    title: "Per configuration",
    columns: [{ key: "configuration", title: "Configuration" }, ...metrics.map(([key, title, , digits]) => ({ key, title, digits }))],
    rows: runs.map((r, i) => [r.label, ...metrics.map(([, , f]) => f(totals[i] as RunTotals))]),
    notes: ["Total run time adds up the measured levels' durations; tokens are output tokens of successful requests."],
  };
}

interface CellPoint {
  run: DiscoveredRun;
  level: LevelSummary;
}

function cellPoints(runs: readonly DiscoveredRun[]): CellPoint[] {
  return runs.flatMap((run) => [...run.summary.levels].sort((a, b) => loadValue(a) - loadValue(b)).map((level) => ({ run, level })));
}

/** Seed 003: Preset | Prompt TPS | Gen TPS | Avg Latency (s) | per-request TPS | Errors, one row per cell and level. */
export function cellTable(runs: readonly DiscoveredRun[]): Table {
  const points = cellPoints(runs);
  return {
    id: "cells",
    title: "Per cell",
    columns: [
      { key: "cell", title: "Cell" },
      { key: "load", title: "Load" },
      { key: "prompt_tps", title: "Prompt TPS", digits: 2 },
      { key: "gen_tps", title: "Gen TPS", digits: 2 },
      { key: "avg_latency_s", title: "Avg Latency (s)", digits: 2 },
      { key: "request_gen_tps", title: "Request Generation Level TPS", digits: 2 },
      { key: "request_prompt_tps", title: "Request Prompt Level TPS", digits: 2 },
      { key: "errors", title: "Errors", format: "int" },
    ],
    rows: points.map(({ run, level: l }) => [
      run.label,
      loadText(l),
      promptTps(run, l),
      l.output_tokens_per_s,
      l.e2e_ms ? l.e2e_ms.mean / 1000 : null,
      l.decode_tokens_per_s?.mean ?? null,
      l.prefill_tokens_per_s?.mean ?? null,
      l.requests.errored,
    ]),
  };
}

/** Seed 003's observations under each per-cell table. */
export function cellObservations(runs: readonly DiscoveredRun[]): string[] {
  const points = cellPoints(runs);
  if (points.length < 2) return [];
  const name = (p: CellPoint): string => (runs.some((r) => r.summary.levels.length > 1) ? `${p.run.label} @ ${loadText(p.level)}` : p.run.label);
  const best = (f: (l: LevelSummary) => number): CellPoint => points.reduce((a, b) => (f(b.level) > f(a.level) ? b : a));
  const bp = best((l) => l.input_tokens_per_s);
  const bg = best((l) => l.output_tokens_per_s);
  const out: string[] = [];
  if (bp.level.input_tokens_per_s > 0) out.push(`Highest Prompt TPS: ${name(bp)} with ${bp.level.input_tokens_per_s.toFixed(2)} tokens/s.`);
  out.push(`Highest Gen TPS: ${name(bg)} with ${bg.level.output_tokens_per_s.toFixed(2)} tokens/s.`);
  const errs = points.filter((p) => p.level.requests.errored > 0);
  if (errs.length > 0) out.push(`Notable errors on: ${errs.map((p) => `${name(p)} (${p.level.requests.errored} errs)`).join(", ")}.`);
  return out;
}

/** `label` or `dim=value`: the run that ratios are taken against; default the first run. */
export function pickBaseline(runs: readonly DiscoveredRun[], baseline: string | undefined): DiscoveredRun | undefined {
  if (baseline === undefined) return runs[0];
  const eq = baseline.indexOf("=");
  if (eq > 0) {
    const dim = baseline.slice(0, eq);
    const value = baseline.slice(eq + 1);
    return runs.find((r) => r.dimensions[dim] === value);
  }
  return runs.find((r) => r.label === baseline || r.label === `${baseline} (imported)` || r.cellId === baseline);
}

/** Seed 002: one row per run with tokens, time, throughput and the ratio to the baseline. */
export function engineComparisonTable(runs: readonly DiscoveredRun[], baseline: DiscoveredRun): Table {
  const dims = varyingDimensions(runs);
  const base = runTotals(baseline);
  const columns: Column[] = [{ key: "configuration", title: "Configuration" }, ...dims.map((d) => ({ key: `dim_${slug(d)}`, title: d }))];
  columns.push(
    { key: "tokens", title: "Tokens", format: "int" },
    { key: "time_s", title: "Time (s)", digits: 2 },
    { key: "throughput_tokens_per_s", title: "Throughput (tokens/s)", digits: 2 },
    { key: "vs_baseline", title: `vs ${baseline.label}`, digits: 1, format: "pct" },
  );
  const rows: CellValue[][] = runs.map((r) => {
    const t = runTotals(r);
    return [r.label, ...dims.map((d) => r.dimensions[d] ?? null), t.outputTokens, t.timeS, t.tokensPerS, base.tokensPerS > 0 ? t.tokensPerS / base.tokensPerS - 1 : null];
  });
  return { id: "comparison", title: `Comparison (throughput vs ${baseline.label})`, columns, rows };
}

export interface PairwiseResult {
  table: Table;
  /** Gen (output) throughput change of `b` over `a` per matched pair. */
  genGains: number[];
  promptGains: number[];
  dimension: string;
  a: string;
  b: string;
  /** Matched pairs whose two cells ran one configuration (no speedup counted): seed 003's 1-GPU presets under "tp" and "pp". */
  sameConfiguration: number;
}

/**
 * Tells which compared groups (pairs, or every value of a dimension with the rest fixed) ran one
 * configuration under several names. `keys` are the candidates (a plan include's gpus, tp, pp);
 * those that differ within some group are what the compared dimension changes, and a group equal
 * on all of them is the same server twice: seed 003's 1-GPU presets are "tp" and "pp" by name
 * only, and their difference is noise, not a speedup. When no key differs in any group, the
 * compared dimension itself is the change and no group is alike.
 */
export function sameConfigurationTest(
  groups: ReadonlyArray<readonly DiscoveredRun[]>,
  keys: readonly string[],
): (group: readonly DiscoveredRun[]) => boolean {
  const oneValue = (group: readonly DiscoveredRun[], k: string): boolean => group.every((r) => r.dimensions[k] === group[0]?.dimensions[k]);
  const changed = keys.filter((k) => groups.some((g) => !oneValue(g, k)));
  return (group) => changed.length > 0 && changed.every((k) => oneValue(group, k));
}

function determines(runs: readonly DiscoveredRun[], by: readonly string[], target: string): boolean {
  const seen = new Map<string, string | undefined>();
  for (const r of runs) {
    const key = JSON.stringify(by.map((d) => r.dimensions[d] ?? null));
    if (seen.has(key) && seen.get(key) !== r.dimensions[target]) return false;
    seen.set(key, r.dimensions[target]);
  }
  return true;
}

/**
 * The dimensions that pair cells when comparing values of `dimension`: every other varying one
 * but those that merely relabel it or a dimension already kept (a plan's `include` adds `tp: 2`
 * to every `parallel: tp` cell and `tp: 1` to every `parallel: pp` one; matching on `tp` would
 * pair nothing), and those that follow from the compared dimension *together with* kept ones and
 * from neither alone (seed 003's 1-GPU presets give `tp: 1` to both parallel values, its 2-GPU
 * presets `tp: 2` or `1`). A dimension that follows from the compared one alone stays: imported
 * engines each measured on one GPU must not be paired across GPUs.
 */
export function matchingDimensions(runs: readonly DiscoveredRun[], dimension: string): string[] {
  const relabels = (a: string, b: string): boolean => determines(runs, [a], b) && determines(runs, [b], a);
  const keys: string[] = [];
  for (const d of varyingDimensions(runs)) {
    if (d === dimension || relabels(d, dimension) || keys.some((k) => relabels(d, k))) continue;
    const interaction = keys.length > 0 && determines(runs, [...keys, dimension], d) && !determines(runs, keys, d) && !determines(runs, [dimension], d);
    if (!interaction) keys.push(d);
  }
  return keys;
}

/** Seed 003: a dimension with two values side by side (matched on the other dimensions and the load). */
export function pairwiseTable(runs: readonly DiscoveredRun[], dimension: string, a: string, b: string): PairwiseResult | null {
  const others = matchingDimensions(runs, dimension);
  const keyOf = (r: DiscoveredRun, l: LevelSummary): string => JSON.stringify([...others.map((d) => r.dimensions[d] ?? ""), l.load]);
  const side = (value: string): Map<string, { run: DiscoveredRun; level: LevelSummary }> => {
    const m = new Map<string, { run: DiscoveredRun; level: LevelSummary }>();
    for (const run of runs) if (run.dimensions[dimension] === value) for (const level of run.summary.levels) m.set(keyOf(run, level), { run, level });
    return m;
  };
  const left = side(a);
  const right = side(b);
  const derived = varyingDimensions(runs).filter((d) => d !== dimension && !others.includes(d));
  const matched = [...left].flatMap(([key, pa]) => {
    const pb = right.get(key);
    return pb === undefined ? [] : [[pa.run, pb.run]];
  });
  const alikeRuns = sameConfigurationTest(matched, derived);
  let same = 0;
  const multiLoad = new Set(runs.flatMap((r) => r.summary.levels.map((l) => JSON.stringify(l.load)))).size > 1;
  const rows: CellValue[][] = [];
  const genGains: number[] = [];
  const promptGains: number[] = [];
  for (const [key, pa] of left) {
    const pb = right.get(key);
    if (!pb) continue;
    const gain = (x: number, y: number): number | null => (x > 0 ? y / x - 1 : null);
    const promptA = promptTps(pa.run, pa.level);
    const promptB = promptTps(pb.run, pb.level);
    const alike = alikeRuns([pa.run, pb.run]);
    if (alike) same++;
    const pg = promptA !== null && promptB !== null && !alike ? gain(promptA, promptB) : null;
    const gg = alike ? null : gain(pa.level.output_tokens_per_s, pb.level.output_tokens_per_s);
    if (pg !== null) promptGains.push(pg);
    if (gg !== null) genGains.push(gg);
    rows.push([
      ...others.map((d) => pa.run.dimensions[d] ?? null),
      ...(multiLoad ? [loadText(pa.level)] : []),
      promptA, promptB, pa.level.output_tokens_per_s, pb.level.output_tokens_per_s, pg, gg,
    ]);
  }
  if (rows.length === 0) return null;
  const columns: Column[] = [
    ...(others.length > 0 ? others.map((d) => ({ key: slug(d), title: d })) : []),
    ...(multiLoad ? [{ key: "load", title: "Load" }] : []),
    ...pairColumns(a, b),
  ];
  return { table: { id: `pairwise-${slug(dimension)}`, title: `${dimension}: ${b} vs ${a}`, columns, rows }, genGains, promptGains, dimension, a, b, sameConfiguration: same };
}

/** The side-by-side columns of a two-valued dimension (seed 003's TP vs PP): both values' prompt and gen TPS, then the speedups of b over a. */
export function pairColumns(a: string, b: string): Column[] {
  return [
    { key: `${slug(a)}_prompt_tps`, title: `${a} (Prompt TPS)`, digits: 2 },
    { key: `${slug(b)}_prompt_tps`, title: `${b} (Prompt TPS)`, digits: 2 },
    { key: `${slug(a)}_gen_tps`, title: `${a} (Gen TPS)`, digits: 2 },
    { key: `${slug(b)}_gen_tps`, title: `${b} (Gen TPS)`, digits: 2 },
    { key: "prompt_speedup", title: "Prompt Speedup (%)", digits: 1, format: "pct" },
    { key: "gen_speedup", title: "Gen Speedup (%)", digits: 1, format: "pct" },
  ];
}
