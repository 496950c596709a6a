// Owns x/y charts as standalone SVG: lines, steps (CDFs), scatter points (Pareto fronts) and
// time series with vertical markers (level boundaries). Linear or log axes.

import { escapeHtml } from "../escape.js";
import { linearScale, logScale, type Scale } from "./scale.js";
import { attrs, axes, CHART_HEIGHT_PX, CHART_WIDTH_PX, colorAt, LabelPlacer, legend, noDataText, round2, svgDocument, truncateLabel, type PlotArea } from "./svg.js";

export type Point = readonly [number, number];

export interface XYSeries {
  name: string;
  points: readonly Point[];
  /** `line` (default), `points` (scatter), `line+points`, or `step` (step-after, for CDFs). */
  style?: "line" | "points" | "line+points" | "step";
  dashed?: boolean;
  color?: string;
  /** One label per point: shown as a tooltip, and beside the point when there are few. */
  labels?: readonly string[];
  /** Print labels beside the points (default: when 12 or fewer). */
  showLabels?: boolean;
}

export interface XMarker {
  x: number;
  label: string;
}

export interface XYChartSpec {
  kind: "xy";
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly XYSeries[];
  xLog?: boolean;
  yLog?: boolean;
  /** Linear y axes start at zero unless false (throughput and latency read best from zero). */
  yFromZero?: boolean;
  /** Fixed y upper bound (e.g. 1 for fractions). */
  yMax?: number;
  markers?: readonly XMarker[];
  xFormat?: (v: number) => string;
  widthPx?: number;
  heightPx?: number;
}

function usable(p: Point, spec: XYChartSpec): boolean {
  const [x, y] = p;
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return (!spec.xLog || x > 0) && (!spec.yLog || y > 0);
}

function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function buildScales(spec: XYChartSpec, points: Point[], area: PlotArea): { x: Scale; y: Scale } {
  const xs = points.map((p) => p[0]).concat((spec.markers ?? []).map((m) => m.x).filter((v) => Number.isFinite(v) && (!spec.xLog || v > 0)));
  const ys = points.map((p) => p[1]);
  const [x0, x1] = extent(xs);
  let [y0, y1] = extent(ys);
  if (!spec.yLog && spec.yFromZero !== false) y0 = Math.min(0, y0);
  if (spec.yMax !== undefined) y1 = Math.max(y1, spec.yMax);
  const x = spec.xLog ? logScale(x0, x1, [area.left, area.right]) : linearScale(x0, x1, [area.left, area.right], 6);
  const y = spec.yLog ? logScale(y0, y1, [area.bottom, area.top]) : linearScale(y0, y1, [area.bottom, area.top], 5);
  return { x, y };
}

function seriesPath(points: readonly Point[], x: Scale, y: Scale, step: boolean): string {
  let d = "";
  points.forEach(([px, py], i) => {
    const sx = round2(x(px));
    const sy = round2(y(py));
    if (i === 0) d += `M${sx} ${sy}`;
    else if (step) d += `H${sx}V${sy}`;
    else d += `L${sx} ${sy}`;
  });
  return d;
}

function drawSeries(s: XYSeries, index: number, spec: XYChartSpec, x: Scale, y: Scale, labels: LabelPlacer): string {
  const color = s.color ?? colorAt(index);
  const style = s.style ?? "line";
  const kept: Array<{ p: Point; label: string | undefined }> = [];
  s.points.forEach((p, i) => {
    if (usable(p, spec)) kept.push({ p, label: s.labels?.[i] });
  });
  if (kept.length === 0) return "";
  let svg = `<g class="series"${attrs({ "data-name": s.name })}>`;
  if (style !== "points") {
    const d = seriesPath(kept.map((k) => k.p), x, y, style === "step");
    svg += `<path${attrs({ d, fill: "none", stroke: color, "stroke-width": 2, "stroke-dasharray": s.dashed ? "6 4" : undefined, "stroke-linejoin": "round" })}/>`;
  }
  if (style === "points" || style === "line+points" || kept.length === 1) {
    const showLabels = s.showLabels ?? kept.length <= 12;
    for (const { p, label } of kept) {
      const cx = x(p[0]);
      const cy = y(p[1]);
      const tip = `${label ? `${label}: ` : ""}${s.name} (${p[0].toPrecision(4)}, ${p[1].toPrecision(4)})`;
      svg += `<circle${attrs({ cx, cy, r: 4, fill: color, stroke: "#fff", "stroke-width": 1 })}><title>${escapeHtml(tip)}</title></circle>`;
      if (showLabels && label) {
        const text = truncateLabel(label, 28);
        svg += labels.place(text, 10, [[cx + 6, cy - 6, "start"], [cx - 6, cy - 6, "end"], [cx + 6, cy + 14, "start"], [cx - 6, cy + 14, "end"]], { fill: "#444" });
      }
    }
  }
  return `${svg}</g>`;
}

function drawMarkers(markers: readonly XMarker[], x: Scale, area: PlotArea, labels: LabelPlacer): string {
  let svg = "";
  markers.forEach((m) => {
    const px = x(m.x);
    if (!Number.isFinite(px) || px < area.left - 0.5 || px > area.right + 0.5) return;
    svg += `<line${attrs({ x1: px, y1: area.top, x2: px, y2: area.bottom, stroke: "#888", "stroke-dasharray": "3 3" })}/>`;
    const text = truncateLabel(m.label, 16);
    svg += labels.place(text, 10, [0, 1, 2, 3].map((row) => [px + 3, area.top + 11 + row * 12, "start"] as const), { fill: "#555" });
  });
  return `<g class="markers">${svg}</g>`;
}

/**
 * Renders an x/y chart as one SVG element.
 * @example renderXYChart({ kind: "xy", id: "tput", title: "Throughput", xLabel: "concurrency", yLabel: "tokens/s", series: [{ name: "run", points: [[1, 190], [4, 750]] }] })
 */
export function renderXYChart(spec: XYChartSpec): string {
  const width = spec.widthPx ?? CHART_WIDTH_PX;
  const baseHeight = spec.heightPx ?? CHART_HEIGHT_PX;
  const leg = legend(
    spec.series.map((s, i) => ({ name: s.name, color: s.color ?? colorAt(i), dashed: s.dashed ?? false })),
    64,
    30,
    width - 80,
  );
  const height = baseHeight + leg.heightPx;
  const area: PlotArea = { left: 64, top: 34 + leg.heightPx, right: width - 20, bottom: height - 46 };
  const points = spec.series.flatMap((s) => s.points.filter((p) => usable(p, spec)));
  if (points.length === 0) return svgDocument(spec.id, spec.title, width, height, leg.svg + noDataText(width, height));
  const { x, y } = buildScales(spec, points, area);
  const clipId = `${spec.id}-clip`;
  let body = leg.svg + axes(x, y, area, { xLabel: spec.xLabel, yLabel: spec.yLabel, ...(spec.xFormat ? { xFormat: spec.xFormat } : {}) });
  body += `<clipPath${attrs({ id: clipId })}><rect${attrs({ x: area.left - 5, y: area.top - 5, width: area.right - area.left + 10, height: area.bottom - area.top + 10 })}/></clipPath>`;
  const labels = new LabelPlacer({ left: area.left + 1, right: area.right - 1, top: area.top + 1, bottom: area.bottom - 1 });
  body += drawMarkers(spec.markers ?? [], x, area, labels);
  body += `<g${attrs({ "clip-path": `url(#${clipId})` })}>`;
  spec.series.forEach((s, i) => (body += drawSeries(s, i, spec, x, y, labels)));
  body += "</g>";
  return svgDocument(spec.id, spec.title, width, height, body);
}
