// Owns grouped bar charts as standalone SVG: one bar per category and group (seed 003's
// per-metric charts across cells, pipeline vs tensor side by side, errors by code).

import { escapeHtml } from "../escape.js";
import { formatTick, linearScale } from "./scale.js";
import { attrs, CHART_HEIGHT_PX, CHART_WIDTH_PX, colorAt, legend, noDataText, round2, svgDocument, textEl, textWidthPx, truncateLabel, type PlotArea } from "./svg.js";

export interface BarGroup {
  name: string;
  /** One value per category; null = no bar. */
  values: ReadonlyArray<number | null>;
  color?: string;
}

export interface BarChartSpec {
  kind: "bar";
  id: string;
  title: string;
  yLabel: string;
  categories: readonly string[];
  groups: readonly BarGroup[];
  widthPx?: number;
  heightPx?: number;
}

function layoutCategories(categories: readonly string[], plotWidth: number): { rotate: boolean; maxChars: number; bottomPx: number } {
  const slot = plotWidth / Math.max(1, categories.length);
  const longest = Math.max(0, ...categories.map((c) => c.length));
  if (textWidthPx(categories.reduce((a, c) => (c.length > a.length ? c : a), ""), 11) <= slot - 6) {
    return { rotate: false, maxChars: longest, bottomPx: 40 };
  }
  const maxChars = Math.min(28, longest);
  return { rotate: true, maxChars, bottomPx: 24 + textWidthPx("x".repeat(maxChars), 11) * 0.72 };
}

/**
 * Renders grouped bars as one SVG element; values are labelled when the bars are few.
 * @example renderBarChart({ kind: "bar", id: "gen", title: "Gen TPS", yLabel: "tokens/s", categories: ["H100X1"], groups: [{ name: "tp", values: [573.8] }] })
 */
export function renderBarChart(spec: BarChartSpec): string {
  const width = spec.widthPx ?? CHART_WIDTH_PX;
  const leg = legend(spec.groups.map((g, i) => ({ name: g.name, color: g.color ?? colorAt(i) })), 64, 30, width - 80);
  const cats = layoutCategories(spec.categories, width - 84);
  const height = (spec.heightPx ?? CHART_HEIGHT_PX) + leg.heightPx + Math.max(0, cats.bottomPx - 40);
  const area: PlotArea = { left: 64, top: 40 + leg.heightPx, right: width - 20, bottom: height - cats.bottomPx - 6 };
  const values = spec.groups.flatMap((g) => g.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  if (values.length === 0 || spec.categories.length === 0) return svgDocument(spec.id, spec.title, width, height, leg.svg + noDataText(width, height));
  const y = linearScale(Math.min(0, ...values), Math.max(0, ...values), [area.bottom, area.top], 5);
  let body = leg.svg;
  for (const t of y.ticks) {
    const py = y(t);
    body += `<line${attrs({ x1: area.left, y1: py, x2: area.right, y2: py, stroke: t === 0 ? "#999" : "#e5e5e5" })}/>`;
    body += textEl(area.left - 6, py + 4, formatTick(t), { "text-anchor": "end", "font-size": 11, fill: "#555" });
  }
  const cy = (area.top + area.bottom) / 2;
  body += textEl(16, cy, spec.yLabel, { "text-anchor": "middle", "font-size": 12, fill: "#333", transform: `rotate(-90 16 ${round2(cy)})` });
  const slot = (area.right - area.left) / spec.categories.length;
  const groupCount = Math.max(1, spec.groups.length);
  const barWidth = Math.max(1, (slot * 0.8) / groupCount);
  const showValues = spec.categories.length * groupCount <= 24;
  const zeroY = y(0);
  spec.categories.forEach((category, ci) => {
    const x0 = area.left + ci * slot + slot * 0.1;
    spec.groups.forEach((g, gi) => {
      const v = g.values[ci];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const top = Math.min(y(v), zeroY);
      const h = Math.max(Math.abs(zeroY - y(v)), v === 0 ? 0 : 1);
      const bx = x0 + gi * barWidth;
      body += `<rect${attrs({ x: bx, y: top, width: barWidth - 1, height: h, fill: g.color ?? colorAt(gi) })}><title>${escapeHtml(`${category} · ${g.name}: ${v}`)}</title></rect>`;
      if (showValues) body += textEl(bx + barWidth / 2, top - 3, formatTick(v), { "text-anchor": "middle", "font-size": 10, fill: "#333" });
    });
    const label = truncateLabel(category, cats.maxChars);
    const lx = area.left + ci * slot + slot / 2;
    body += cats.rotate
      ? textEl(lx, area.bottom + 14, label, { "text-anchor": "end", "font-size": 11, fill: "#444", transform: `rotate(-35 ${round2(lx)} ${round2(area.bottom + 14)})` })
      : textEl(lx, area.bottom + 16, label, { "text-anchor": "middle", "font-size": 11, fill: "#444" });
  });
  body += `<rect${attrs({ x: area.left, y: area.top, width: area.right - area.left, height: area.bottom - area.top, fill: "none", stroke: "#999" })}/>`;
  return svgDocument(spec.id, spec.title, width, height, body);
}
