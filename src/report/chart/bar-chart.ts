// Owns grouped bar charts as standalone SVG: one bar per category and group with a legend for
// the groups (seed 003's tp vs pp per preset, errors by code), and small multiples ("facets",
// one panel per model × ctx) sharing one y axis. Labels are fitted, never rotated or overlapped.

import { escapeHtml } from "../escape.js";
import { formatTick, linearScale, type Scale } from "./scale.js";
import { attrs, CHART_HEIGHT_PX, CHART_WIDTH_PX, colorAt, fitLabel, legend, noDataText, round2, svgDocument, textEl, textWidthPx, wrapLabel, type PlotArea } from "./svg.js";

export interface BarGroup {
  name: string;
  /** One value per category; null = no bar. */
  values: ReadonlyArray<number | null>;
  color?: string;
}

export interface BarFacet {
  title: string;
  categories: readonly string[];
  /** Same names and order in every facet (one legend for all). */
  groups: readonly BarGroup[];
}

export interface BarChartSpec {
  kind: "bar";
  id: string;
  title: string;
  /** Axis title with its unit. */
  yLabel: string;
  /** Axis title under the categories (what they are: "preset"); optional. */
  xLabel?: string;
  categories: readonly string[];
  groups: readonly BarGroup[];
  /** Small multiples: one panel each, one shared y scale; `categories` and `groups` are then ignored. */
  facets?: readonly BarFacet[];
  widthPx?: number;
  heightPx?: number;
}

const LABEL_PX = 11;
const LINE_PX = 13;
const VALUE_PX = 10;
const MIN_PANEL_PX = 230;
/** Past this many categories one chart becomes panels (bars wider than a label stay readable). */
const MAX_CATEGORIES = 12;

interface Panel {
  facet: BarFacet;
  area: PlotArea;
  labelLines: string[][];
}

function finite(v: number | null | undefined): v is number {
  return v !== null && v !== undefined && Number.isFinite(v);
}

function slotPx(area: PlotArea, categories: number): number {
  return (area.right - area.left) / Math.max(1, categories);
}

/** Value labels only where every one fits over its own bar. */
function valuesFit(panels: readonly Panel[], groupCount: number): boolean {
  return panels.every((p) => {
    const barWidth = (slotPx(p.area, p.facet.categories.length) * 0.8) / groupCount;
    return p.facet.groups.every((g) => g.values.every((v) => !finite(v) || textWidthPx(formatTick(v), VALUE_PX) <= barWidth - 2));
  });
}

function drawPanel(p: Panel, y: Scale, showValues: boolean, withTitle: boolean): string {
  const { area, facet } = p;
  let svg = "";
  for (const t of y.ticks) {
    const py = y(t);
    svg += `<line${attrs({ x1: area.left, y1: py, x2: area.right, y2: py, stroke: t === 0 ? "#999" : "#e5e5e5" })}/>`;
    svg += textEl(area.left - 6, py + 4, formatTick(t), { "text-anchor": "end", "font-size": LABEL_PX, fill: "#555" });
  }
  if (withTitle) {
    const lines = wrapLabel(facet.title, area.right - area.left + 30, 12, 2, true);
    const last = area.top - 18;
    lines.forEach((line, i) => {
      svg += textEl((area.left + area.right) / 2, last - (lines.length - 1 - i) * 14, line, { "text-anchor": "middle", "font-size": 12, "font-weight": "bold", fill: "#333" });
    });
  }
  const slot = slotPx(area, facet.categories.length);
  const groupCount = Math.max(1, facet.groups.length);
  const barWidth = Math.max(1, (slot * 0.8) / groupCount);
  const zeroY = y(0);
  facet.categories.forEach((category, ci) => {
    const x0 = area.left + ci * slot + slot * 0.1;
    facet.groups.forEach((g, gi) => {
      const v = g.values[ci];
      if (!finite(v)) return;
      const top = Math.min(y(v), zeroY);
      const h = Math.max(Math.abs(zeroY - y(v)), v === 0 ? 0 : 1);
      const bx = x0 + gi * barWidth;
      svg += `<rect${attrs({ x: bx, y: top, width: Math.max(1, barWidth - 1), height: h, fill: g.color ?? colorAt(gi) })}><title>${escapeHtml(`${facet.title ? `${facet.title} · ` : ""}${category} · ${g.name}: ${v}`)}</title></rect>`;
      if (showValues) svg += textEl(bx + barWidth / 2, (v >= 0 ? top : top + h + VALUE_PX + 2) - 3, formatTick(v), { "text-anchor": "middle", "font-size": VALUE_PX, fill: "#333" });
    });
    const lx = area.left + ci * slot + slot / 2;
    const lines = p.labelLines[ci] ?? [];
    const label = lines.map((line, li) => textEl(lx, area.bottom + 15 + li * LINE_PX, line, { "text-anchor": "middle", "font-size": LABEL_PX, fill: "#444" })).join("");
    svg += lines.join(" ") === category ? label : `<g><title>${escapeHtml(category)}</title>${label}</g>`;
  });
  svg += `<rect${attrs({ x: area.left, y: area.top, width: area.right - area.left, height: area.bottom - area.top, fill: "none", stroke: "#999" })}/>`;
  return svg;
}

/** Too many categories for one readable panel: panels of at most MAX_CATEGORIES each, in order. */
function chunked(spec: BarChartSpec): BarFacet[] {
  const n = spec.categories.length;
  if (n <= MAX_CATEGORIES) return [{ title: "", categories: spec.categories, groups: spec.groups }];
  const panels = Math.ceil(n / MAX_CATEGORIES);
  const size = Math.ceil(n / panels);
  return Array.from({ length: panels }, (_, i) => {
    const from = i * size;
    const to = Math.min(n, from + size);
    return { title: `${from + 1}–${to} of ${n}`, categories: spec.categories.slice(from, to), groups: spec.groups.map((g) => ({ ...g, values: g.values.slice(from, to) })) };
  });
}

/**
 * Renders grouped bars (or one panel per facet) as one SVG element; values are printed over the
 * bars when every one fits.
 * @example renderBarChart({ kind: "bar", id: "gen", title: "Gen TPS", yLabel: "tokens/s", categories: ["H100X1"], groups: [{ name: "tp", values: [573.8] }] })
 */
export function renderBarChart(spec: BarChartSpec): string {
  const facets: readonly BarFacet[] = spec.facets ?? chunked(spec);
  const faceted = facets.length > 1 || spec.facets !== undefined;
  const width = spec.widthPx ?? CHART_WIDTH_PX;
  const groupNames = facets[0]?.groups ?? [];
  const leg = legend(groupNames.map((g, i) => ({ name: g.name, color: g.color ?? colorAt(i) })), 64, 30, width - 80);
  const values = facets.flatMap((f) => f.groups.flatMap((g) => g.values.filter(finite)));
  const baseHeight = spec.heightPx ?? (faceted ? 250 : CHART_HEIGHT_PX);
  if (values.length === 0 || facets.every((f) => f.categories.length === 0)) {
    return svgDocument(spec.id, spec.title, width, baseHeight + leg.heightPx, leg.svg + noDataText(width, baseHeight + leg.heightPx));
  }
  const left = 64;
  const gap = faceted ? 56 : 0;
  // As many columns as fit, then evened out over the rows (4 facets: 2 × 2, not 3 + 1).
  const fit = Math.max(1, Math.min(facets.length, Math.floor((width - left - 20 + gap) / (MIN_PANEL_PX + gap))));
  const cols = Math.ceil(facets.length / Math.ceil(facets.length / fit));
  const panelWidth = (width - left - 20 - gap * (cols - 1)) / cols;
  const maxLines = Math.max(
    1,
    ...facets.map((f) => Math.max(0, ...f.categories.map((c) => wrapLabel(c, panelWidth / Math.max(1, f.categories.length) - 6, LABEL_PX).length))),
  );
  const titleLines = faceted ? Math.max(...facets.map((f) => wrapLabel(f.title, panelWidth + 30, 12, 2, true).length)) : 0;
  const titlePx = faceted ? 8 + titleLines * 14 : 0;
  const valueRoom = 14;
  const labelRoom = 8 + maxLines * LINE_PX + (spec.xLabel ? 18 : 0);
  const rowHeight = titlePx + valueRoom + (baseHeight - 90) + labelRoom;
  const top = 34 + leg.heightPx;
  const rows = Math.ceil(facets.length / cols);
  const height = top + rows * rowHeight + 10;
  const panels: Panel[] = facets.map((facet, i) => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    const x0 = left + col * (panelWidth + gap);
    const y0 = top + row * rowHeight + titlePx + valueRoom;
    const area = { left: x0, top: y0, right: x0 + panelWidth, bottom: y0 + baseHeight - 90 };
    const slot = slotPx(area, facet.categories.length);
    return { facet, area, labelLines: facet.categories.map((c) => wrapLabel(c, slot - 6, LABEL_PX)) };
  });
  const first = panels[0] as Panel;
  const y = linearScale(Math.min(0, ...values), Math.max(0, ...values), [first.area.bottom, first.area.top], 5);
  const showValues = values.length <= 48 && valuesFit(panels, Math.max(1, groupNames.length));
  let body = leg.svg;
  for (const p of panels) {
    const shift = p.area.top - first.area.top;
    const py: Scale = Object.assign((v: number) => y(v) + shift, { ticks: y.ticks, domain: y.domain, log: false });
    body += drawPanel(p, py, showValues, faceted);
    if (spec.xLabel) body += textEl((p.area.left + p.area.right) / 2, p.area.bottom + 8 + maxLines * LINE_PX + 14, fitLabel(spec.xLabel, panelWidth, 12), { "text-anchor": "middle", "font-size": 12, fill: "#333" });
  }
  const cy = top + (rows * rowHeight) / 2;
  body += textEl(16, cy, fitLabel(spec.yLabel, rows * rowHeight - 10, 12), { "text-anchor": "middle", "font-size": 12, fill: "#333", transform: `rotate(-90 16 ${round2(cy)})` });
  return svgDocument(spec.id, spec.title, width, height, body);
}
