// Unit tests for the chart module: scales, ticks, x/y and bar SVGs, escaping, empty data.
import { describe, expect, it } from "vitest";
import { renderBarChart } from "./bar-chart.js";
import { renderChart } from "./render.js";
import { formatTick, linearScale, logScale, niceDomain, niceStep } from "./scale.js";
import { renderXYChart } from "./xy-chart.js";

describe("scales", () => {
  it("picks 1-2-5 steps and widens the domain to whole steps", () => {
    expect(niceStep(100, 5)).toBe(20);
    expect(niceStep(7, 5)).toBe(2);
    expect(niceDomain(3, 97)).toEqual({ domain: [0, 100], ticks: [0, 20, 40, 60, 80, 100] });
    expect(niceDomain(5, 5).domain[0]).toBeLessThan(5);
  });

  it("maps linearly onto the pixel range", () => {
    const s = linearScale(0, 100, [0, 200]);
    expect(s(50)).toBe(100);
    expect(s.log).toBe(false);
  });

  it("log scales place decades evenly and tick at 1-2-5 on short ranges", () => {
    const s = logScale(1, 100, [0, 200]);
    expect(s(10)).toBeCloseTo(100);
    expect(s.ticks).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(logScale(0.001, 1e6, [0, 1]).ticks).toEqual([0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000, 100000, 1e6]);
  });

  it("formats ticks compactly", () => {
    expect([0, 0.25, 12.5, 640, 35000, 1.2e6].map(formatTick)).toEqual(["0", "0.25", "12.5", "640", "35k", "1.2M"]);
  });
});

describe("xy chart", () => {
  const spec = { kind: "xy" as const, id: "c1", title: "T", xLabel: "x", yLabel: "y" };

  it("draws one path per line series and circles for points, with a legend", () => {
    const svg = renderXYChart({ ...spec, series: [{ name: "a", points: [[1, 1], [2, 4]] }, { name: "b", points: [[1, 2], [2, 3]], style: "points" }] });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain(">a</text>");
  });

  it("escapes every data string (series names, labels, titles)", () => {
    const evil = "<script>alert(1)</script>";
    const svg = renderXYChart({ ...spec, title: evil, series: [{ name: evil, points: [[1, 1], [2, 2]], labels: [evil, evil], style: "points" }], markers: [{ x: 1.5, label: evil }] });
    expect(svg).not.toContain("<script");
    expect(svg).toContain("&lt;script&gt;");
  });

  it("drops non-finite points and non-positive points on log axes", () => {
    const svg = renderXYChart({ ...spec, xLog: true, series: [{ name: "a", points: [[0, 1], [NaN, 2], [10, 3], [100, 4]] }] });
    expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+"/);
  });

  it("draws step paths for CDFs and dashed markers", () => {
    const svg = renderXYChart({ ...spec, series: [{ name: "cdf", points: [[1, 0], [2, 0.5], [3, 1]], style: "step" }], markers: [{ x: 2, label: "c=4" }] });
    expect(svg).toMatch(/H[\d.]+V/);
    expect(svg).toContain("c=4");
    expect(svg).toContain('stroke-dasharray="3 3"');
  });

  it("says so when there is nothing to draw", () => {
    expect(renderXYChart({ ...spec, series: [{ name: "a", points: [] }] })).toContain("no data");
  });
});

describe("bar chart", () => {
  it("draws one bar per category and group, labelled with values", () => {
    const svg = renderBarChart({ kind: "bar", id: "b", title: "Gen TPS", yLabel: "tokens/s", categories: ["H100X1", "H100X2"], groups: [{ name: "pp", values: [564.79, 449.28] }, { name: "tp", values: [573.8, null] }] });
    expect(svg.match(/<rect x=/g)).toHaveLength(4); // 3 bars + plot frame
    expect(svg).toContain(">565</text>");
  });

  it("handles negative values and long category names", () => {
    const svg = renderChart({ kind: "bar", id: "b", title: "Δ", yLabel: "%", categories: ["a".repeat(60), "b"], groups: [{ name: "x", values: [-5, 5] }] });
    expect(svg).toContain("rotate(-35");
    expect(svg).toContain("…");
  });
});
