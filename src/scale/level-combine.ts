// Owns combining shards' level partials (in shard order) into the level summary. The shards'
// sorted metric arrays are read as one sample (never copied into one array) and summarised with
// exactly aggregateLevel's arithmetic (exact sums, linear-interpolated percentiles): bit for bit
// the single-run numbers.

import { compareSlo, formatSloTerm, type SloTerm } from "../config/units.js";
import { checkStrict } from "../metrics/strict.js";
import { flatten, levelWarnings, type LevelLoad, type LevelSummary } from "../metrics/level.js";
import { percentileRanks, SortedParts } from "../metrics/sorted-parts.js";
import { percentileSorted, summarizeSorted } from "../metrics/stats.js";
import { addStrict, METRICS, type LevelPartial, type PartialOptions } from "./level-partial.js";

export interface CombineOptions extends PartialOptions {
  /** Every --slo term, aggregate ones (ttft_ms.p99<=500) included: they give the level's slo_check. */
  sloTerms: readonly SloTerm[];
  level: number;
  load: LevelLoad;
  percentiles: readonly number[];
  interrupted: boolean;
}

export function combinePartials(partials: readonly LevelPartial[], o: CombineOptions): LevelSummary {
  const c = { sent: 0, completed: 0, errored: 0, aborted: 0, warmup: 0, good: 0, inputTotal: 0, outputTotal: 0 };
  const errorsByCode: Record<string, number> = {};
  let first = Infinity;
  let last = -Infinity;
  for (const p of partials) {
    for (const k of Object.keys(c) as Array<keyof typeof c>) c[k] += p.counts[k];
    for (const [code, n] of Object.entries(p.errorsByCode)) errorsByCode[code] = (errorsByCode[code] ?? 0) + n;
    first = Math.min(first, p.firstScheduledMs);
    last = Math.max(last, p.lastEndMs);
  }
  const durationS = c.sent === 0 ? 0 : (last - first) / 1000;
  const perS = (x: number): number => (durationS > 0 ? x / durationS : 0);
  const s: LevelSummary = {
    level: o.level,
    load: o.load,
    requests: { sent: c.sent, completed: c.completed, errored: c.errored, aborted: c.aborted, warmup: c.warmup },
    errors_by_code: errorsByCode,
    duration_s: durationS,
    request_per_s: perS(c.completed),
    input_tokens_per_s: perS(c.inputTotal),
    output_tokens_per_s: perS(c.outputTotal),
    total_tokens_per_s: perS(c.inputTotal + c.outputTotal),
    input_tokens_total: c.inputTotal,
    output_tokens_total: c.outputTotal,
    interrupted: o.interrupted,
    warnings: [],
  };
  const checks = new Map<SloTerm, { term: string; actual: number | null; met: boolean }>();
  for (const id of METRICS) {
    const merged = new SortedParts(
      partials.map((p) => p.values[id]),
      partials.map((p) => p.sums?.[id]),
    );
    for (const t of o.sloTerms) if (t.stat !== undefined && t.metric === id) checks.set(t, aggregateTerm(t, merged, c.errored));
    const dist = flatten(summarizeSorted(merged, o.percentiles));
    // The shards' arrays are no longer needed: free them before the next metric is merged.
    for (const p of partials) p.values[id] = new Float64Array(0);
    if (dist !== undefined) s[id] = dist;
  }
  if (o.slo.length > 0) {
    s.goodput = {
      slo: o.slo.map((t) => `${t.metric}${t.op}${t.value}`).join(","),
      good: c.good,
      fraction: c.sent === 0 ? 0 : c.good / c.sent,
      request_per_s: perS(c.good),
    };
  }
  if (o.strict) {
    const acc = checkStrict([], o.endpoint, o.templateExact ?? false);
    for (const p of partials) if (p.strict !== undefined) addStrict(acc, p.strict);
    s.strict = acc;
  }
  if (checks.size > 0) {
    const terms = o.sloTerms.filter((t) => checks.has(t)).map((t) => checks.get(t) as { term: string; actual: number | null; met: boolean });
    s.slo_check = { met: terms.every((t) => t.met), terms };
  }
  s.warnings = levelWarnings(s, o.percentiles);
  return s;
}

/**
 * An aggregate SLO term as run/level-extras.ts sloCheck evaluates it: failed requests count
 * as +Infinity (they never met it). Percentiles are exact; a mean may differ in the last bit
 * (summed in sorted rather than record order).
 */
function aggregateTerm(t: SloTerm, sorted: SortedParts, failed: number): { term: string; actual: number | null; met: boolean } {
  let actual = NaN;
  const n = sorted.length + failed;
  if (n > 0) {
    if (t.stat === "mean") {
      actual = failed > 0 ? Infinity : sorted.sum() / n;
    } else {
      const p = t.stat === "median" ? 50 : Number(String(t.stat).slice(1));
      // Failed requests sort last as +Infinity: ranks past the measured values read Infinity.
      const ranks = percentileRanks(n, p);
      const picked = sorted.pick(ranks);
      const all: { length: number; [rank: number]: number } = { length: n };
      for (const r of ranks) all[r] = r < sorted.length ? (picked[r] as number) : Infinity;
      actual = percentileSorted(all, p);
    }
  }
  return { term: formatSloTerm(t), actual: Number.isFinite(actual) ? actual : null, met: Number.isFinite(actual) && compareSlo(actual, t.op, t.value) };
}
