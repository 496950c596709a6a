// Owns the SVG building blocks shared by every chart: the document frame, title, legend and
// axes. Every data string passes through escapeHtml here, so charts cannot carry markup.

import { escapeHtml } from "../escape.js";
import { formatTick, type Scale } from "./scale.js";

/** Colour-blind-safe categorical palette (Tableau 10). */
export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

export function colorAt(index: number): string {
  return PALETTE[index % PALETTE.length] as string;
}

export const FONT = "DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif";
export const CHART_WIDTH_PX = 720;
export const CHART_HEIGHT_PX = 360;

export interface PlotArea {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

type AttrValue = string | number | undefined;

/** ` key="value"` pairs, escaped; undefined values are left out. */
export function attrs(values: Record<string, AttrValue>): string {
  let out = "";
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    out += ` ${k}="${escapeHtml(typeof v === "number" ? round2(v) : v)}"`;
  }
  return out;
}

export function round2(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export function textEl(x: number, y: number, content: string, extra: Record<string, AttrValue> = {}): string {
  return `<text${attrs({ x, y, ...extra })}>${escapeHtml(content)}</text>`;
}

/** Approximate rendered width of a label at `sizePx` (no font metrics without a browser). */
export function textWidthPx(content: string, sizePx: number): number {
  return content.length * sizePx * 0.6;
}

export function truncateLabel(content: string, maxChars: number): string {
  return content.length <= maxChars ? content : `${content.slice(0, Math.max(1, maxChars - 1))}…`;
}

export function svgDocument(id: string, title: string, width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart"${attrs({ id, width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, "font-family": FONT })}>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    textEl(width / 2, 20, title, { "text-anchor": "middle", "font-size": 14, "font-weight": "bold", fill: "#222" }) +
    body +
    `</svg>`
  );
}

export interface LegendItem {
  name: string;
  color: string;
  dashed?: boolean;
}

/** Legend rows under the title; returns the SVG and the height it took. */
export function legend(items: readonly LegendItem[], left: number, top: number, maxWidth: number): { svg: string; heightPx: number } {
  if (items.length <= 1) return { svg: "", heightPx: 0 };
  let x = left;
  let y = top + 10;
  let svg = "";
  for (const item of items) {
    const label = truncateLabel(item.name, 40);
    const w = 22 + textWidthPx(label, 11) + 14;
    if (x + w > left + maxWidth && x > left) {
      x = left;
      y += 16;
    }
    svg += `<line${attrs({ x1: x, y1: y - 4, x2: x + 16, y2: y - 4, stroke: item.color, "stroke-width": 3, "stroke-dasharray": item.dashed ? "4 3" : undefined })}/>`;
    svg += textEl(x + 20, y, label, { "font-size": 11, fill: "#333" });
    x += w;
  }
  return { svg, heightPx: y - top + 8 };
}

export interface AxisOptions {
  xLabel: string;
  yLabel: string;
  xFormat?: (v: number) => string;
}

/** Grid lines, tick labels and axis titles for an x/y plot. */
export function axes(x: Scale, y: Scale, area: PlotArea, options: AxisOptions): string {
  const fmtX = options.xFormat ?? formatTick;
  let svg = "";
  for (const t of y.ticks) {
    const py = y(t);
    if (py < area.top - 0.5 || py > area.bottom + 0.5) continue;
    svg += `<line${attrs({ x1: area.left, y1: py, x2: area.right, y2: py, stroke: "#e5e5e5" })}/>`;
    svg += textEl(area.left - 6, py + 4, formatTick(t), { "text-anchor": "end", "font-size": 11, fill: "#555" });
  }
  let lastRight = -Infinity;
  for (const t of x.ticks) {
    const px = x(t);
    if (px < area.left - 0.5 || px > area.right + 0.5) continue;
    const label = fmtX(t);
    const half = textWidthPx(label, 11) / 2;
    svg += `<line${attrs({ x1: px, y1: area.top, x2: px, y2: area.bottom, stroke: "#f0f0f0" })}/>`;
    if (px - half < lastRight + 4) continue;
    svg += textEl(px, area.bottom + 16, label, { "text-anchor": "middle", "font-size": 11, fill: "#555" });
    lastRight = px + half;
  }
  svg += `<rect${attrs({ x: area.left, y: area.top, width: area.right - area.left, height: area.bottom - area.top, fill: "none", stroke: "#999" })}/>`;
  svg += textEl((area.left + area.right) / 2, area.bottom + 34, options.xLabel, { "text-anchor": "middle", "font-size": 12, fill: "#333" });
  const cy = (area.top + area.bottom) / 2;
  svg += textEl(16, cy, options.yLabel, { "text-anchor": "middle", "font-size": 12, fill: "#333", transform: `rotate(-90 16 ${round2(cy)})` });
  return svg;
}

export function noDataText(width: number, height: number): string {
  return textEl(width / 2, height / 2, "no data", { "text-anchor": "middle", "font-size": 14, fill: "#888" });
}
