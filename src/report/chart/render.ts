// Owns the one entry point of the chart module: a chart spec in, a standalone SVG string out.
// The same string is inlined in report.html and rasterised to charts/*.png.

import { renderBarChart, type BarChartSpec } from "./bar-chart.js";
import { renderXYChart, type XYChartSpec } from "./xy-chart.js";

export type ChartSpec = XYChartSpec | BarChartSpec;
export type { BarChartSpec, BarFacet, BarGroup } from "./bar-chart.js";
export type { Point, XMarker, XYChartSpec, XYSeries } from "./xy-chart.js";

export function renderChart(spec: ChartSpec): string {
  return spec.kind === "xy" ? renderXYChart(spec) : renderBarChart(spec);
}
