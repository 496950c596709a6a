// Owns the text rendering of a comparison: one aligned table per matched level with A, B,
// the change, its bootstrap interval, and a verdict (inside the noise or not).

import type { Comparison, MetricChange } from "./compare.js";

/** Four significant-ish digits: 21.81, 0.123, 5481.4. */
export function formatValue(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(1) : a >= 10 ? v.toFixed(2) : a >= 0.01 ? v.toFixed(3) : v.toPrecision(3);
}

function pct(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "—";
  return `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}%`;
}

function signed(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "—" : `${v >= 0 ? "+" : ""}${formatValue(v)}`;
}

function verdict(c: MetricChange): string {
  if (c.withinNoise === null) return c.relative === undefined ? "" : "no CI (aggregate)";
  return c.withinNoise ? "~ within noise" : "significant";
}

/** What a side is when it is not a measurement: a prediction, or results imported from elsewhere. */
function provenance(run: Comparison["a"]): string {
  if (run.summary.run.predicted) return ", PREDICTED, not measured";
  return run.summary.run.imported !== undefined ? ", imported" : "";
}

/** Aligned plain-text tables, one per level. */
export function renderComparisonText(c: Comparison): string {
  const out = [`A: ${c.a.label} (${c.a.relDir}${provenance(c.a)})`, `B: ${c.b.label} (${c.b.relDir}${provenance(c.b)})`];
  const ciTitle = `${Math.round(c.confidence * 100)}% CI of Δ%`;
  for (const level of c.levels) {
    const header = ["metric", "A", "B", "Δ", "Δ%", ciTitle, ""];
    const rows = level.changes.map((ch) => [ch.metric, formatValue(ch.a), formatValue(ch.b), signed(ch.delta), pct(ch.relative), ch.ci ? `[${pct(ch.ci.low)}, ${pct(ch.ci.high)}]` : "—", verdict(ch)]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ").trimEnd();
    out.push("", `level ${level.load}`, line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line));
  }
  if (c.unmatched.length > 0) out.push("", `not compared: ${c.unmatched.join(", ")}`);
  if (c.pareto.length > 0) {
    out.push("", "Pareto front (output tokens/s per GPU against per user; no other level beats these on both):");
    for (const p of c.pareto) out.push(`  ${p.label}: ${p.per_gpu_tokens_per_s.toFixed(1)} per GPU at ${p.per_user_tokens_per_s.toFixed(1)} per user`);
  }
  return `${out.join("\n")}\n`;
}
