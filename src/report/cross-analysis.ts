// Owns the findings across runs, in words with their numbers: which run or engine is fastest and
// by how much, and how a two-valued matrix dimension (tensor vs pipeline parallel) changes
// throughput over every matched pair. Pure.

import { fmtNum, fmtPct, loadText } from "./analysis.js";
import type { PairwiseResult } from "./cross-tables.js";
import type { DiscoveredRun } from "./discover.js";

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

interface Peak {
  run: DiscoveredRun;
  tokensPerS: number;
  where: string;
}

function peakOf(run: DiscoveredRun): Peak | null {
  const levels = run.summary.levels.filter((l) => l.requests.completed > 0);
  if (levels.length === 0) return null;
  const best = levels.reduce((a, b) => (b.output_tokens_per_s > a.output_tokens_per_s ? b : a));
  return { run, tokensPerS: best.output_tokens_per_s, where: levels.length > 1 ? ` at ${loadText(best)}` : "" };
}

/** "Fastest: X at N tokens/s, +Y% over Z (next fastest)", and the slowest for scale. */
export function fastestFindings(runs: readonly DiscoveredRun[]): string[] {
  const peaks = runs.map(peakOf).filter((p): p is Peak => p !== null).sort((a, b) => b.tokensPerS - a.tokensPerS);
  const first = peaks[0];
  const second = peaks[1];
  if (!first || !second) return [];
  const out = [
    `Fastest: ${first.run.label} with ${fmtNum(first.tokensPerS)} output tokens/s${first.where}, ${fmtPct(first.tokensPerS / second.tokensPerS - 1)} over the next fastest, ${second.run.label} (${fmtNum(second.tokensPerS)} tokens/s${second.where}).`,
  ];
  const last = peaks[peaks.length - 1] as Peak;
  if (peaks.length > 2 && last.tokensPerS > 0) {
    out.push(`Slowest: ${last.run.label} with ${fmtNum(last.tokensPerS)} tokens/s${last.where}; the fastest is ${fmtNum(first.tokensPerS / last.tokensPerS, 2)}× it.`);
  }
  return out;
}

function gainSentence(name: string, gains: readonly number[]): string {
  const lo = Math.min(...gains);
  const hi = Math.max(...gains);
  return `${name} median ${fmtPct(median(gains))} (range ${fmtPct(lo)} … ${fmtPct(hi)})`;
}

/** Seed 003's conclusion: how much B gains over A on matched cells. */
export function pairwiseFindings(result: PairwiseResult): string[] {
  const n = result.genGains.length;
  if (n === 0) return [];
  const wins = result.genGains.filter((g) => g > 0).length;
  const parts = [gainSentence("generation throughput", result.genGains)];
  if (result.promptGains.length > 0) parts.push(gainSentence("prompt throughput", result.promptGains));
  const same = result.sameConfiguration;
  const left = same > 0 ? ` (${same} matched pair${same === 1 ? "" : "s"} ran one configuration under both names and ${same === 1 ? "is" : "are"} left out)` : "";
  return [
    `${result.dimension} = ${result.b} vs ${result.a} over ${n} matched cell${n === 1 ? "" : "s"}${left}: ${parts.join("; ")}; ${result.b} is faster in ${wins} of ${n}.`,
  ];
}
