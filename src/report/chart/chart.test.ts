// Unit tests for the chart module: scales, ticks, x/y and bar SVGs, escaping, empty data.
import { describe, expect, it } from "vitest";
import { renderBarChart, type BarChartSpec, type BarFacet } from "./bar-chart.js";
import { renderChart } from "./render.js";
import { formatTick, linearScale, logScale, niceDomain, niceStep } from "./scale.js";
import { textWidthPx } from "./svg.js";
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

  it("handles negative values and fits long category names into their slot, never rotated", () => {
    const svg = renderChart({ kind: "bar", id: "b", title: "Δ", yLabel: "%", categories: ["a".repeat(60), "b"], groups: [{ name: "x", values: [-5, 5] }] });
    expect(svg).not.toContain("rotate(-35");
    expect(svg).toContain("…");
    expect(svg).toContain(`<title>${"a".repeat(60)}</title>`); // the full name stays as a tooltip
  });

  it("draws one panel per facet on one y scale, with one legend", () => {
    const facet = (title: string, k: number): BarFacet => ({ title, categories: ["H100X1", "H100X2"], groups: [{ name: "pp", values: [100 * k, 200] }, { name: "tp", values: [120, 240 * k] }] });
    const svg = renderBarChart({ kind: "bar", id: "f", title: "Gen TPS", yLabel: "output tokens/s", categories: [], groups: [], facets: [facet("Qwen · 2048", 1), facet("Qwen · 8192", 2), facet("Llama · 2048", 1)], widthPx: 960 });
    expect(svg.match(/>Qwen · 2048</g)).toHaveLength(1);
    expect(svg.match(/>Llama · 2048</g)).toHaveLength(1);
    expect(svg.match(/>tp<\/text>/g)).toHaveLength(1);
    expect(svg.match(/>480<\/text>/g)).toHaveLength(1); // the tallest bar's value, once
    expect(svg.match(/<rect x=[^>]*><title>/g)).toHaveLength(12);
  });

  it("splits too many categories into panels on one y scale instead of squeezing them", () => {
    const categories = Array.from({ length: 40 }, (_, i) => `cell-${i}`);
    const svg = renderBarChart({ kind: "bar", id: "m", title: "many", yLabel: "tokens/s", categories, groups: [{ name: "g", values: categories.map((_, i) => i) }] });
    expect(svg.match(/>\d+–\d+ of 40</g)).toEqual([">1–10 of 40<", ">11–20 of 40<", ">21–30 of 40<", ">31–40 of 40<"]);
    expect(svg.match(/<rect x=[^>]*><title>/g)).toHaveLength(40); // one bar each, the zero one too (height 0)
  });

  // The estimate every layout decision rests on must keep labels apart (Chromium checks real boxes).
  it("keeps every horizontal label clear of every other by its own width estimate", () => {
    const long = ["deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "meta-llama/Llama-3.2-3B-Instruct", "H100X1 · tp · c=64", "MMMMMMMMMMMMMMMMMMMM", "x"];
    const specs: BarChartSpec[] = [
      { kind: "bar", id: "a", title: "T".repeat(200), yLabel: "tokens/s", categories: long, groups: [{ name: "pp", values: [564.79, 449.28, 1, 22222, 0] }, { name: "tp", values: [573.8, null, 3, 5, 7] }] },
      { kind: "bar", id: "b", title: "many", yLabel: "tokens/s", xLabel: "preset", categories: Array.from({ length: 40 }, (_, i) => `cell-${i}-${"W".repeat(i % 7)}`), groups: [{ name: "g", values: Array.from({ length: 40 }, (_, i) => i * 1000) }] },
      { kind: "bar", id: "c", title: "facets", yLabel: "s", xLabel: "preset (bars: parallel)", categories: [], groups: [], widthPx: 960, facets: long.map((t) => ({ title: `${t} · 8192`, categories: long.slice(0, 4), groups: [{ name: "pp", values: [1, 2, 3, 4] }, { name: "tp", values: [4, 3, 2, 1] }] })) },
    ];
    for (const spec of specs) {
      const svg = renderBarChart(spec);
      const boxes = [...svg.matchAll(/<text x="([\d.-]+)" y="([\d.-]+)"([^>]*)>([^<]*)<\/text>/g)]
        .filter((m) => !(m[3] ?? "").includes("rotate"))
        .map((m) => {
          const size = Number(/font-size="(\d+)"/.exec(m[3] ?? "")?.[1] ?? 11);
          const text = (m[4] ?? "").replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&#39;/g, "'");
          const w = textWidthPx(text, size, (m[3] ?? "").includes("bold"));
          const x = Number(m[1]);
          const left = (m[3] ?? "").includes('text-anchor="middle"') ? x - w / 2 : (m[3] ?? "").includes('text-anchor="end"') ? x - w : x;
          return { text, left, right: left + w, top: Number(m[2]) - size * 0.8, bottom: Number(m[2]) + size * 0.2 };
        });
      expect(boxes.length).toBeGreaterThan(10);
      const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
      for (const [i, a] of boxes.entries()) {
        expect(a.left >= 0 && a.right <= width, `${spec.id}: "${a.text}" inside the chart`).toBe(true);
        for (const b of boxes.slice(i + 1)) {
          const hit = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          expect(hit, `${spec.id}: "${a.text}" vs "${b.text}"`).toBe(false);
        }
      }
    }
  });
});
