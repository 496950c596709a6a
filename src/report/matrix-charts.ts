// Owns seed 003's bar charts for a plan: per section, Prompt and Gen TPS with the side-by-side
// values as grouped bars (tp vs pp per preset); across sections, one chart per metric with a
// panel per section (small multiples on one y axis). Pure: layout in, chart specs out.

import type { BarFacet, BarGroup } from "./chart/render.js";
import { slug } from "./escape.js";
import { shortValue, type MatrixCell, type MatrixLayout, type MatrixSection } from "./matrix-layout.js";
import { CELL_METRICS, type CellMetric } from "./matrix-tables.js";
import type { ChartEntry } from "./run-charts.js";
import { loadText } from "./analysis.js";

/** Bars: categories are rows (with their load when there are several), groups the side values. */
function facetOf(layout: MatrixLayout, section: MatrixSection, value: (c: MatrixCell) => number | null, title: string): BarFacet {
  const categories: string[] = [];
  const keyOf = (c: MatrixCell): string => (layout.multiLoad ? `${shortValue(c.row)} @ ${loadText(c.level)}` : shortValue(c.row));
  for (const c of section.cells) if (!categories.includes(keyOf(c))) categories.push(keyOf(c));
  const sides = layout.side ? [layout.side.a, layout.side.b] : [null];
  const groups: BarGroup[] = sides.map((side) => ({
    name: side ?? title,
    values: categories.map((cat) => {
      const cell = section.cells.find((c) => keyOf(c) === cat && c.side === side);
      return cell ? value(cell) : null;
    }),
  }));
  return { title: section.key.map(shortValue).join(" · "), categories, groups };
}

function hasData(facets: readonly BarFacet[]): boolean {
  return facets.some((f) => f.groups.some((g) => g.values.some((v) => v !== null && v !== 0)));
}

const metric = (key: string): CellMetric => CELL_METRICS.find((m) => m.key === key) as CellMetric;

function xLabel(layout: MatrixLayout): string | undefined {
  const row = layout.rowDims.join(" · ");
  return row === "" ? undefined : layout.side ? `${row} (bars: ${layout.side.dimension})` : row;
}

/** Seed 003's per-section comparison charts: Prompt TPS and Gen TPS. */
export function sectionCharts(layout: MatrixLayout, section: MatrixSection): ChartEntry[] {
  const out: ChartEntry[] = [];
  for (const m of [metric("prompt_tps"), metric("gen_tps")]) {
    const facet = facetOf(layout, section, (c) => m.value(c.run, c.level), m.title);
    if (!hasData([facet])) continue;
    const name = `${section.id}-${slug(m.key)}`;
    const where = layout.sectionDims.length > 0 ? `: ${facet.title}` : "";
    const label = xLabel(layout);
    out.push({ name, spec: { kind: "bar", id: name, title: `${m.title}${where}`, yLabel: m.unit, ...(label ? { xLabel: label } : {}), categories: facet.categories, groups: facet.groups } });
  }
  return out;
}

/** One chart per metric across every section (a panel each); none with a single section. */
export function overviewCharts(layout: MatrixLayout): ChartEntry[] {
  if (layout.sections.length < 2) return [];
  const metrics: Array<{ key: string; title: string; unit: string; value: (c: MatrixCell) => number | null }> = [
    ...CELL_METRICS.filter((m) => m.key !== "request_prompt_tps").map((m) => ({ key: m.key, title: m.title, unit: m.unit, value: (c: MatrixCell) => m.value(c.run, c.level) })),
    { key: "errors", title: "Errors", unit: "failed requests", value: (c: MatrixCell) => c.level.requests.errored },
  ];
  const by = layout.sectionDims.join(" × ");
  const out: ChartEntry[] = [];
  for (const m of metrics) {
    const facets = layout.sections.map((s) => facetOf(layout, s, m.value, m.title));
    if (!hasData(facets)) continue;
    const name = `matrix-${slug(m.key)}`;
    const label = xLabel(layout);
    out.push({ name, spec: { kind: "bar", id: name, title: `${m.title} per ${by}`, yLabel: m.unit, ...(label ? { xLabel: label } : {}), categories: [], groups: [], facets, widthPx: 960 } });
  }
  return out;
}
