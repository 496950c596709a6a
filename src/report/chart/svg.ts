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

/** Advance widths in em, rounded up from DejaVu Sans: no font metrics without a browser. */
function charEm(ch: string): number {
  if (/[ ijlI.,:;'|!·]/.test(ch)) return 0.34;
  if (/[frt\-()[\]/]/.test(ch)) return 0.44;
  if (/[mwMW%@]/.test(ch)) return 1.0;
  if (/[A-Z0-9#&$]/.test(ch)) return 0.8;
  if (/[a-z]/.test(ch)) return 0.65;
  return 0.9;
}

/**
 * Rendered width of a label at `sizePx`, erring wide (every width check in the charts rests on
 * it: labels that fit by this estimate do not overlap in a browser; tested in Chromium).
 */
export function textWidthPx(content: string, sizePx: number, bold = false): number {
  let em = 0;
  for (const ch of content) em += charEm(ch);
  return em * sizePx * (bold ? 1.12 : 1);
}

export function truncateLabel(content: string, maxChars: number): string {
  return content.length <= maxChars ? content : `${content.slice(0, Math.max(1, maxChars - 1))}…`;
}

/** The longest prefix (with "…") whose estimated width fits `maxPx`. */
export function fitLabel(content: string, maxPx: number, sizePx: number, bold = false): string {
  if (textWidthPx(content, sizePx, bold) <= maxPx) return content;
  const chars = [...content];
  for (let n = chars.length - 1; n > 0; n--) {
    const candidate = `${chars.slice(0, n).join("").trimEnd()}…`;
    if (textWidthPx(candidate, sizePx, bold) <= maxPx) return candidate;
  }
  return "…";
}

/**
 * At most `maxLines` lines of at most `maxPx` each, broken after spaces, "/", "-" or "·"; the
 * last line is shortened with "…" when the rest does not fit.
 */
export function wrapLabel(content: string, maxPx: number, sizePx: number, maxLines = 2, bold = false): string[] {
  if (textWidthPx(content, sizePx, bold) <= maxPx || maxLines <= 1) return [fitLabel(content, maxPx, sizePx, bold)];
  const parts = content.split(/(?<=[ /\-·_])/);
  const lines: string[] = [];
  let current = "";
  for (const part of parts) {
    if (current !== "" && textWidthPx(`${current}${part}`.trimEnd(), sizePx, bold) > maxPx && lines.length < maxLines - 1) {
      lines.push(current.trimEnd());
      current = "";
    }
    current += part;
  }
  lines.push(current.trim());
  return lines.map((l) => fitLabel(l, maxPx, sizePx, bold));
}

export function svgDocument(id: string, title: string, width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart"${attrs({ id, width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, "font-family": FONT })}>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    textEl(width / 2, 20, fitLabel(title, width - 16, 14, true), { "text-anchor": "middle", "font-size": 14, "font-weight": "bold", fill: "#222" }) +
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
    const label = fitLabel(item.name, Math.min(260, maxWidth - 22), 11);
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
    // 18 px down: clear of the lowest y tick label ("0") at the corner.
    svg += textEl(px, area.bottom + 18, label, { "text-anchor": "middle", "font-size": 11, fill: "#555" });
    lastRight = px + half;
  }
  svg += `<rect${attrs({ x: area.left, y: area.top, width: area.right - area.left, height: area.bottom - area.top, fill: "none", stroke: "#999" })}/>`;
  svg += textEl((area.left + area.right) / 2, area.bottom + 36, options.xLabel, { "text-anchor": "middle", "font-size": 12, fill: "#333" });
  const cy = (area.top + area.bottom) / 2;
  svg += textEl(16, cy, options.yLabel, { "text-anchor": "middle", "font-size": 12, fill: "#333", transform: `rotate(-90 16 ${round2(cy)})` });
  return svg;
}

export function noDataText(width: number, height: number): string {
  return textEl(width / 2, height / 2, "no data", { "text-anchor": "middle", "font-size": 14, fill: "#888" });
}

export interface LabelBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * Places optional labels (point names, level markers) without overlap: the first candidate
 * position inside `bounds` that clears every label placed so far wins; none fitting drops the
 * label (its tooltip still names the point).
 */
export class LabelPlacer {
  private readonly placed: LabelBox[] = [];

  constructor(private readonly bounds: LabelBox) {}

  /** Reserves a box (a tick label, a legend) that later labels must avoid. */
  reserve(box: LabelBox): void {
    this.placed.push(box);
  }

  /** Candidates are [x, baseline y, anchor]; returns the SVG text or "" when none fits. */
  place(content: string, sizePx: number, candidates: ReadonlyArray<readonly [number, number, "start" | "end"]>, extra: Record<string, AttrValue> = {}): string {
    const width = textWidthPx(content, sizePx);
    for (const [x, y, anchor] of candidates) {
      const left = anchor === "start" ? x : x - width;
      const box = { left: left - 1, right: left + width + 1, top: y - sizePx - 1, bottom: y + sizePx * 0.3 + 1 };
      if (box.left < this.bounds.left || box.right > this.bounds.right || box.top < this.bounds.top || box.bottom > this.bounds.bottom) continue;
      if (this.placed.some((p) => box.left < p.right && p.left < box.right && box.top < p.bottom && p.top < box.bottom)) continue;
      this.placed.push(box);
      return textEl(x, y, content, { "font-size": sizePx, ...(anchor === "end" ? { "text-anchor": "end" } : {}), ...extra });
    }
    return "";
  }
}
