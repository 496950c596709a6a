// Owns report.html's plan layout (seed 003): navigation by dimension, one overview with the
// findings and warnings across cells, a section per model × ctx with its tables, charts and
// observations, and each cell's own details folded away. Data strings go through escapeHtml.

import { fmtNum } from "./analysis.js";
import { escapeHtml } from "./escape.js";
import { charts, htmlTable, list, runBody } from "./html-parts.js";
import { shortValue, type MatrixSection } from "./matrix-layout.js";
import type { MatrixReport, ReportModel, ReportRun } from "./report-model.js";

function link(id: string, text: string): string {
  return `<a href="#${escapeHtml(id)}">${escapeHtml(text)}</a>`;
}

/** Sections grouped by the first section dimension: "model: A → ctx 2048 · 8192". */
export function dimensionNav(matrix: MatrixReport): string {
  const { layout, sections } = matrix;
  const [first, ...rest] = layout.sectionDims;
  if (first === undefined) return "";
  const byFirst = new Map<string, Array<{ id: string; label: string }>>();
  for (const s of sections) {
    const v = s.section.key[0] ?? "";
    const label = rest.length === 0 ? shortValue(v) : s.section.key.slice(1).map(shortValue).join(" · ");
    byFirst.set(v, [...(byFirst.get(v) ?? []), { id: s.section.id, label }]);
  }
  const groups = [...byFirst].map(([v, items]) =>
    rest.length === 0 ? items.map((i) => link(i.id, i.label)).join("") : `<span class="navgroup">${escapeHtml(shortValue(v))}: ${items.map((i) => link(i.id, i.label)).join(" ")}</span>`,
  );
  return `<div class="dimnav"><span class="navdim">${escapeHtml(layout.sectionDims.join(" × "))}</span>${groups.join("")}</div>`;
}

export function matrixOverview(model: ReportModel, matrix: MatrixReport): string {
  let html = `<section id="overview"><h2>Overview</h2><p class="lead">${escapeHtml(matrix.summary)}</p>`;
  html += `<h3>Across all cells</h3>${list(model.crossFindings, "findings")}`;
  if (matrix.warnings.length > 0) html += `<h3>Warnings</h3>${list(matrix.warnings.map((w) => `⚠ ${w}`), "warnings")}`;
  if (matrix.settings) html += htmlTable(matrix.settings, "matrix");
  html += charts(matrix.charts);
  return `${html}</section>`;
}

export function matrixSections(matrix: MatrixReport): string {
  return matrix.sections
    .map((s) => {
      let html = `<section class="matrix-section" id="${escapeHtml(s.section.id)}"><h2>${escapeHtml(s.section.title)}</h2>`;
      html += s.tables.map((t, i) => htmlTable(t, "matrix", i === 0 ? "" : t.title.slice(s.section.title.length + 2))).join("");
      html += charts(s.charts);
      html += `<h3>Observations</h3>${list(s.observations, "findings")}`;
      return `${html}</section>`;
    })
    .join("\n");
}

function cellSummary(r: ReportRun, section: MatrixSection): string {
  const name = section.cells.find((c) => c.run === r.run)?.name.split(" @ ")[0] ?? r.run.label;
  const levels = r.run.summary.levels;
  const peak = levels.reduce((a, l) => Math.max(a, l.output_tokens_per_s), 0);
  const errors = levels.reduce((a, l) => a + l.requests.errored, 0);
  return `${name} — ${fmtNum(peak)} output tokens/s${errors > 0 ? `, ${errors} errors` : ""}${r.warnings.length > 0 ? `, ${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"}` : ""}`;
}

/** Every cell's own analysis, charts and tables, folded, under its section's title. */
export function cellDetails(model: ReportModel, matrix: MatrixReport): string {
  let html = `<section id="cells"><h2>Per-cell details</h2><p class="note">Each cell's own analysis, charts and tables; click a cell to open it.</p>`;
  for (const s of matrix.sections) {
    const runs = model.runs.filter((r) => s.section.cells.some((c) => c.run === r.run));
    html += `<h3>${escapeHtml(s.section.title)}</h3>`;
    for (const r of runs) {
      const index = model.runs.indexOf(r);
      html += `<details class="cell" id="run-${index + 1}"><summary>${escapeHtml(cellSummary(r, s.section))}</summary><div class="cell-body">${list(r.analysis.findings, "findings")}${list(r.warnings.map((w) => `⚠ ${w}`), "warnings")}${runBody(r)}</div></details>`;
    }
  }
  return `${html}</section>`;
}
