// Integration: seed 003's 32-cell plan report in headless Chromium at 1000–1600 px: no two text
// elements of a chart (or of the navigation) overlap, nothing sticks out of its chart or the
// page, the section tables fit without scrolling, and screenshots land in the temp directory
// (<tmp>/report-19-<width>.png; REPORT_SCREENSHOT_FULL=1 for the whole page, ~4 s slower).

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { generateReport } from "../../src/report/generate-report.js";
import { seed003Plan } from "./report-fixtures.js";
import { CHROMIUM, launchChromium } from "../helpers/chromium.js";

const WIDTHS = [1000, 1280, 1600];

interface LayoutProblems {
  overlaps: string[];
  outside: string[];
  pageOverflowPx: number;
  tableOverflow: string[];
  charts: number;
  texts: number;
}

// The little of the DOM the in-page checks use (the project's tsconfig has no DOM library).
interface El {
  id: string;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  open?: boolean;
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number };
  querySelectorAll(selector: string): ArrayLike<El>;
  querySelector(selector: string): El | null;
  getAttribute(name: string): string | null;
}
interface Doc {
  documentElement: El;
  querySelectorAll(selector: string): ArrayLike<El>;
}

/** Opens or closes every <details> (runs in the page). */
function setDetails(open: boolean): void {
  const doc = (globalThis as unknown as { document: Doc }).document;
  for (const d of Array.from(doc.querySelectorAll("details"))) d.open = open;
}

/** Runs in the page: every visible chart's <text> boxes against each other and against the chart. */
function checkLayout(): LayoutProblems {
  const document = (globalThis as unknown as { document: Doc }).document;
  type Box = { left: number; right: number; top: number; bottom: number; text: string };
  const boxOf = (el: El): Box => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: (el.textContent ?? "").trim() };
  };
  const hit = (a: Box, b: Box): boolean => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const out: LayoutProblems = { overlaps: [], outside: [], pageOverflowPx: 0, tableOverflow: [], charts: 0, texts: 0 };
  const width = document.documentElement.clientWidth;
  const groups: Array<{ name: string; frame: Box | null; boxes: Box[] }> = [];
  for (const svg of Array.from(document.querySelectorAll("svg.chart"))) {
    const frame = boxOf(svg);
    if (frame.right - frame.left < 1) continue; // folded away in a closed <details>
    out.charts++;
    if (frame.left < -0.5 || frame.right > width + 0.5)
      out.outside.push(`${svg.id}: chart spans ${frame.left.toFixed(0)}–${frame.right.toFixed(0)} of ${width}`);
    groups.push({
      name: svg.id,
      frame,
      boxes: Array.from(svg.querySelectorAll("text"))
        .map(boxOf)
        .filter((b) => b.text !== ""),
    });
  }
  groups.push({ name: "nav", frame: null, boxes: Array.from(document.querySelectorAll("nav a, nav .navdim")).map(boxOf) });
  for (const g of groups) {
    out.texts += g.boxes.length;
    g.boxes.forEach((a, i) => {
      if (g.frame && (a.left < g.frame.left - 0.5 || a.right > g.frame.right + 0.5 || a.top < g.frame.top - 0.5 || a.bottom > g.frame.bottom + 0.5))
        out.outside.push(`${g.name}: "${a.text}" cut off`);
      for (const b of g.boxes.slice(i + 1)) if (hit(a, b)) out.overlaps.push(`${g.name}: "${a.text}" overlaps "${b.text}"`);
    });
  }
  out.pageOverflowPx = document.documentElement.scrollWidth - width;
  for (const wrap of Array.from(document.querySelectorAll("#overview .table-wrap, .matrix-section .table-wrap"))) {
    if (wrap.scrollWidth > wrap.clientWidth + 1)
      out.tableOverflow.push(`${wrap.querySelector("table")?.getAttribute("data-table") ?? "?"}: ${wrap.scrollWidth} > ${wrap.clientWidth}`);
  }
  return out;
}

describe.runIf(CHROMIUM !== undefined)("seed 003 plan report in headless Chromium", () => {
  it("lays out 32 cells by dimension with charts whose labels never overlap or get cut off at 1000–1600 px", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "sb-matrix-browser-"));
    const out = join(tmp, "report");
    const { model } = await generateReport({ paths: [seed003Plan()], outDir: out, png: false, generatedAt: "test" });
    expect(model.matrix?.layout.sections.map((s) => s.title)).toEqual([
      "model = deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B · ctx = 2048",
      "model = deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B · ctx = 8192",
      "model = meta-llama/Llama-3.2-3B-Instruct · ctx = 2048",
      "model = meta-llama/Llama-3.2-3B-Instruct · ctx = 8192",
    ]);
    const context = await launchChromium(join(tmp, "profile"), { width: 1000, height: 1000 });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(pathToFileURL(join(out, "report.html")).href, { waitUntil: "load" });
      // One analysis for the whole plan: the per-cell findings are folded, the warning said once.
      const overview = await page.locator("#overview").innerText();
      expect(overview).toMatch(/too few requests for p99 .* in all 32 cells/);
      expect(overview).toContain("What moves Gen TPS");
      expect(await page.locator("details.cell").count()).toBe(32);
      expect(await page.locator("details.cell[open]").count()).toBe(0);
      // Navigation by dimension (model × ctx), every link landing on its section.
      expect(await page.locator("nav a").count()).toBeLessThan(12);
      expect(await page.locator("nav .navgroup").allInnerTexts()).toEqual(["DeepSeek-R1-Distill-Qwen-1.5B: 2048 8192", "Llama-3.2-3B-Instruct: 2048 8192"]);
      const targets = await page.locator("nav a").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
      for (const href of targets) expect(await page.locator(href).count(), href).toBe(1);
      const shots: string[] = [];
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 1000 });
        // Unfolded once (every cell's own charts too: SVG scales as a whole, so one width shows
        // their layout); photographed as a reader first sees it.
        const unfold = width === WIDTHS[0];
        if (unfold) await page.evaluate(setDetails, true);
        const result = await page.evaluate(checkLayout);
        if (unfold) await page.evaluate(setDetails, false);
        expect(result.charts, `charts visible at ${width}px`).toBeGreaterThanOrEqual(4 + 4 * 2);
        expect(result.texts).toBeGreaterThan(unfold ? 3000 : 300);
        expect(result.overlaps, `overlapping labels at ${width}px`).toEqual([]);
        expect(result.outside, `cut off at ${width}px`).toEqual([]);
        expect(result.pageOverflowPx, `horizontal scroll at ${width}px`).toBeLessThanOrEqual(0);
        expect(result.tableOverflow, `tables scrolling at ${width}px`).toEqual([]);
        const shot = join(tmpdir(), `report-19-${width}.png`);
        await page.screenshot({ path: shot, fullPage: process.env.REPORT_SCREENSHOT_FULL === "1" });
        shots.push(shot);
      }
      console.log(`seed 003 report screenshots: ${shots.join(", ")} (no overlapping or cut-off labels at ${WIDTHS.join(", ")} px)`);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe.runIf(CHROMIUM === undefined)("seed 003 plan report in headless Chromium", () => {
  it.skip("skipped: no chromium at /usr/bin/chromium (install it with: apt-get install -y chromium)", () => {});
});
