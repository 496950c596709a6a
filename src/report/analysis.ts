// Owns the automatic analysis of one run's sweep, stated with the numbers behind it: peak
// throughput, the saturation knee, the highest load meeting the SLO and its goodput, and the
// recommended load for interactive and for batch use. Pure: level summaries in, findings out.

import type { LevelSummary } from "../metrics/level.js";

export interface SloEvaluation {
  /** As given, e.g. "ttft_ms<=500,tpot_ms<=50". */
  text: string;
  /** Share of measured requests that must meet every term for a level to pass, 0..1. */
  attainment: number;
  /** Good requests per level (from the per-request records, or the run's own goodput). */
  goodByLevel: ReadonlyMap<number, { good: number; measured: number }>;
}

export interface LevelRef {
  level: number;
  load: string;
}

export interface RunAnalysis {
  peak: (LevelRef & { outputTokensPerS: number; requestPerS: number }) | null;
  /** The last level before latency rose faster than throughput; null when it never did. */
  knee: (LevelRef & { next: string; throughputGain: number; latencyGain: number }) | null;
  slo: { text: string; attainment: number; best: (LevelRef & { goodputPerS: number; fraction: number }) | null } | null;
  interactive: (LevelRef & { why: string }) | null;
  batch: (LevelRef & { why: string }) | null;
  findings: string[];
}

/** Latency rise must beat throughput rise by this much before it counts (measurement noise). */
const KNEE_MARGIN = 0.05;

export function loadText(l: Pick<LevelSummary, "load">): string {
  return l.load.kind === "concurrency" ? `c=${l.load.concurrency}` : `${l.load.rate_per_s} req/s`;
}

export function loadValue(l: Pick<LevelSummary, "load">): number {
  return l.load.kind === "concurrency" ? l.load.concurrency : l.load.rate_per_s;
}

/** 2,529.4 — grouped digits, at most `digits` decimals. */
export function fmtNum(v: number, digits = 1): string {
  return v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function fmtPct(fraction: number, digits = 1): string {
  return `${fraction >= 0 ? "+" : "−"}${Math.abs(fraction * 100).toFixed(digits)}%`;
}

function latencyOf(l: LevelSummary): number | undefined {
  return l.e2e_ms?.median ?? l.e2e_ms?.mean;
}

function ref(l: LevelSummary): LevelRef {
  return { level: l.level, load: loadText(l) };
}

function findKnee(levels: readonly LevelSummary[]): RunAnalysis["knee"] {
  for (let i = 0; i + 1 < levels.length; i++) {
    const a = levels[i] as LevelSummary;
    const b = levels[i + 1] as LevelSummary;
    const la = latencyOf(a);
    const lb = latencyOf(b);
    if (la === undefined || lb === undefined || la <= 0 || a.output_tokens_per_s <= 0) continue;
    const throughputGain = b.output_tokens_per_s / a.output_tokens_per_s - 1;
    const latencyGain = lb / la - 1;
    if (latencyGain > KNEE_MARGIN && latencyGain > throughputGain + KNEE_MARGIN) {
      return { ...ref(a), next: loadText(b), throughputGain, latencyGain };
    }
  }
  return null;
}

function evaluateSlo(levels: readonly LevelSummary[], slo: SloEvaluation): NonNullable<RunAnalysis["slo"]> {
  let best: NonNullable<RunAnalysis["slo"]>["best"] = null;
  for (const l of levels) {
    const g = slo.goodByLevel.get(l.level);
    if (!g || g.measured === 0) continue;
    const fraction = g.good / g.measured;
    if (fraction + 1e-12 < slo.attainment) continue;
    // Levels are sorted by load: the last one passing is the highest.
    best = { ...ref(l), goodputPerS: l.duration_s > 0 ? g.good / l.duration_s : 0, fraction };
  }
  return { text: slo.text, attainment: slo.attainment, best };
}

function peakFindings(levels: readonly LevelSummary[], peak: LevelSummary): string[] {
  const out = [`Peak output throughput: ${fmtNum(peak.output_tokens_per_s)} tokens/s at ${loadText(peak)} (${fmtNum(peak.request_per_s, 3)} req/s).`];
  const after = levels.filter((l) => loadValue(l) > loadValue(peak));
  const last = after[after.length - 1];
  if (last && last.output_tokens_per_s < peak.output_tokens_per_s) {
    out.push(`Beyond ${loadText(peak)} throughput falls: ${fmtNum(last.output_tokens_per_s)} tokens/s at ${loadText(last)} (${fmtPct(last.output_tokens_per_s / peak.output_tokens_per_s - 1)}).`);
  } else if (levels.length > 1 && peak === levels[levels.length - 1]) {
    out.push(`Throughput still rises at the highest load tested (${loadText(peak)}): the peak may lie beyond it.`);
  }
  return out;
}

function latencyTrend(levels: readonly LevelSummary[]): string | null {
  const first = levels.find((l) => latencyOf(l) !== undefined);
  const last = [...levels].reverse().find((l) => latencyOf(l) !== undefined);
  if (!first || !last || first === last) return null;
  const a = latencyOf(first) as number;
  const b = latencyOf(last) as number;
  let text = `p50 E2E latency goes from ${fmtNum(a)} ms at ${loadText(first)} to ${fmtNum(b)} ms at ${loadText(last)} (${fmtPct(b / a - 1)})`;
  const ta = first.ttft_ms?.p99;
  const tb = last.ttft_ms?.p99;
  if (ta !== undefined && tb !== undefined && ta > 0) text += `; p99 TTFT from ${fmtNum(ta)} to ${fmtNum(tb)} ms (${fmtPct(tb / ta - 1)})`;
  return `${text}.`;
}

/**
 * Analyses one run's levels (any order; sorted by load here).
 * @example analyzeRun(summary.levels, { slo: { text: "ttft_ms<=500", attainment: 0.9, goodByLevel } }).findings
 */
export function analyzeRun(levelsIn: readonly LevelSummary[], options: { slo?: SloEvaluation | null } = {}): RunAnalysis {
  const levels = [...levelsIn].filter((l) => l.requests.completed > 0).sort((a, b) => loadValue(a) - loadValue(b));
  const result: RunAnalysis = { peak: null, knee: null, slo: null, interactive: null, batch: null, findings: [] };
  if (levels.length === 0) {
    result.findings.push("No level completed a request: nothing to analyse.");
    return result;
  }
  const peak = levels.reduce((a, b) => (b.output_tokens_per_s > a.output_tokens_per_s ? b : a));
  result.peak = { ...ref(peak), outputTokensPerS: peak.output_tokens_per_s, requestPerS: peak.request_per_s };
  result.findings.push(...peakFindings(levels, peak));
  result.knee = findKnee(levels);
  if (result.knee) {
    const k = result.knee;
    result.findings.push(`Saturation knee at ${k.load}: from ${k.load} to ${k.next} throughput changes ${fmtPct(k.throughputGain)} while p50 E2E latency rises ${fmtPct(k.latencyGain)}.`);
  } else if (levels.length > 1 && levels.some((l) => latencyOf(l) !== undefined)) {
    result.findings.push(`No saturation knee between ${loadText(levels[0] as LevelSummary)} and ${loadText(levels[levels.length - 1] as LevelSummary)}: latency never rose faster than throughput.`);
  }
  const trend = latencyTrend(levels);
  if (trend) result.findings.push(trend);
  if (options.slo) {
    const slo = evaluateSlo(levels, options.slo);
    result.slo = slo;
    const need = `≥${fmtNum(slo.attainment * 100, 1)}% of requests meeting ${slo.text}`;
    result.findings.push(
      slo.best
        ? `Highest load meeting the SLO (${need}): ${slo.best.load}, goodput ${fmtNum(slo.best.goodputPerS, 3)} req/s (${fmtNum(slo.best.fraction * 100)}% good).`
        : `No level met the SLO (${need}).`,
    );
  }
  result.batch = { ...ref(peak), why: `maximum throughput, ${fmtNum(peak.output_tokens_per_s)} tokens/s` };
  const cheaper = levels.find((l) => loadValue(l) < loadValue(peak) && l.output_tokens_per_s >= 0.95 * peak.output_tokens_per_s);
  const lc = cheaper ? latencyOf(cheaper) : undefined;
  const lp = latencyOf(peak);
  if (cheaper && lc !== undefined && lp !== undefined && lc < lp) {
    result.batch.why += `; ${loadText(cheaper)} gives ${fmtNum((cheaper.output_tokens_per_s / peak.output_tokens_per_s) * 100)}% of it at ${fmtPct(lc / lp - 1)} p50 E2E`;
  }
  if (result.slo?.best) {
    result.interactive = { level: result.slo.best.level, load: result.slo.best.load, why: `highest load within the SLO (${result.slo.text})` };
  } else if (result.slo) {
    result.interactive = null;
  } else if (result.knee) {
    result.interactive = { level: result.knee.level, load: result.knee.load, why: "the saturation knee: beyond it latency grows faster than throughput (no --slo given)" };
  } else if (levels.some((l) => latencyOf(l) !== undefined)) {
    const top = levels[levels.length - 1] as LevelSummary;
    result.interactive = { ...ref(top), why: "latency did not yet rise faster than throughput at the highest load tested (no --slo given)" };
  }
  const hasLatency = levels.some((l) => latencyOf(l) !== undefined);
  result.findings.push(
    result.interactive
      ? `Recommended for interactive use: ${result.interactive.load} (${result.interactive.why}).`
      : hasLatency
        ? "Recommended for interactive use: none of the tested loads (no level met the SLO; test lower loads)."
        : "Recommended for interactive use: cannot tell without latency data.",
    `Recommended for batch use: ${result.batch.load} (${result.batch.why}).`,
  );
  return result;
}

/**
 * Points no other point beats on both axes (lower latency *and* higher throughput), by latency.
 * @example paretoFront([{ latencyMs: 1, throughput: 5 }, { latencyMs: 2, throughput: 4 }]) // the first only
 */
export function paretoFront<T extends { latencyMs: number; throughput: number }>(points: readonly T[]): T[] {
  const sorted = points
    .filter((p) => Number.isFinite(p.latencyMs) && Number.isFinite(p.throughput))
    .sort((a, b) => a.latencyMs - b.latencyMs || b.throughput - a.throughput);
  const front: T[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.throughput > best) {
      front.push(p);
      best = p.throughput;
    }
  }
  return front;
}
