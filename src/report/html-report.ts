// Owns report.html: one self-contained page (inline CSS, inline SVG charts, one inline script
// for sortable tables, a CSP that forbids everything else). Every data string goes through
// escapeHtml; charts are already escaped by the chart module.

import { fmtNum, loadText } from "./analysis.js";
import { envRows, sharedEnvironment } from "./env-summary.js";
import { escapeHtml } from "./escape.js";
import { contentSecurityPolicy, REPORT_CSS, SORT_SCRIPT } from "./html-assets.js";
import { cellDetails, dimensionNav, matrixOverview, matrixSections } from "./html-matrix.js";
import { charts, htmlTable, list, runBody } from "./html-parts.js";
import type { ReportModel, ReportRun } from "./report-model.js";

export interface HtmlOptions {
  /** Shown in the header; omit for byte-identical output. */
  generatedAt?: string;
  servebenchVersion?: string;
}

function card(key: string, value: string, sub: string): string {
  return `<div class="card"><div class="k">${escapeHtml(key)}</div><div class="v">${escapeHtml(value)}</div><div class="s">${escapeHtml(sub)}</div></div>`;
}

function headline(model: ReportModel): string {
  const levels = model.runs.flatMap((r) => r.run.summary.levels.filter((l) => l.requests.completed > 0).map((l) => ({ r, l })));
  if (levels.length === 0) return "";
  const name = (x: (typeof levels)[number]): string => `${model.runs.length > 1 ? `${x.r.run.label} @ ` : ""}${loadText(x.l)}`;
  const peak = levels.reduce((a, b) => (b.l.output_tokens_per_s > a.l.output_tokens_per_s ? b : a));
  const cards = [card("peak output throughput", `${fmtNum(peak.l.output_tokens_per_s)} tok/s`, name(peak))];
  const withTtft = levels.filter((x) => x.l.ttft_ms);
  if (withTtft.length > 0) {
    const best = withTtft.reduce((a, b) => ((b.l.ttft_ms?.median ?? Infinity) < (a.l.ttft_ms?.median ?? Infinity) ? b : a));
    cards.push(card("lowest p50 TTFT", `${fmtNum(best.l.ttft_ms?.median ?? 0)} ms`, name(best)));
  }
  if (peak.l.tpot_ms) cards.push(card("p50 TPOT at peak", `${fmtNum(peak.l.tpot_ms.median, 2)} ms`, name(peak)));
  const sent = levels.reduce((a, x) => a + x.l.requests.sent, 0);
  const errored = levels.reduce((a, x) => a + x.l.requests.errored, 0);
  cards.push(card("requests measured", fmtNum(sent, 0), `${model.runs.length} run${model.runs.length === 1 ? "" : "s"}, ${levels.length} level${levels.length === 1 ? "" : "s"}`));
  // Cancelled requests (--cancel-rate) are neither errors nor in the latencies: the card says how many.
  const cancelled = levels.reduce((a, x) => a + (x.l.cancelled?.requests ?? 0), 0);
  const failedText = `${fmtNum(errored, 0)} failed${cancelled > 0 ? ` · ${fmtNum(cancelled, 0)} cancelled by the client` : ""}`;
  cards.push(card("error rate", `${fmtNum(sent > 0 ? (errored / sent) * 100 : 0, 2)}%`, failedText));
  const slo = model.runs.map((r) => r.analysis.slo).find((s) => s?.best);
  if (slo?.best) cards.push(card("highest load within SLO", slo.best.load, `goodput ${fmtNum(slo.best.goodputPerS, 3)} req/s · ${slo.text}`));
  return `<section id="headline"><h2>Headline</h2><div class="cards">${cards.join("")}</div></section>`;
}

function analysisSection(model: ReportModel): string {
  let html = `<section id="analysis"><h2>Analysis</h2>`;
  if (model.crossFindings.length > 0) html += `<h3>Across runs</h3>${list(model.crossFindings, "findings")}`;
  for (const r of model.runs) html += `<h3>${escapeHtml(r.run.label)}</h3>${list(r.analysis.findings, "findings")}${list(r.warnings.map((w) => `⚠ ${w}`), "warnings")}`;
  return `${html}</section>`;
}

function environmentSection(model: ReportModel): string {
  const blocks = model.runs.map((r, i) => {
    const rows = envRows(r.run).map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td class="wrap">${escapeHtml(v)}</td></tr>`).join("");
    const table = `<div class="table-wrap"><table>${rows}</table></div>`;
    return i === 0 ? `<h3>${escapeHtml(r.run.label)}</h3>${table}` : `<details><summary>${escapeHtml(r.run.label)}</summary>${table}</details>`;
  });
  return `<section id="environment"><h2>Environment</h2>${blocks.join("")}</section>`;
}

function runSection(r: ReportRun, index: number): string {
  const info = r.run.summary.run;
  const badge = r.run.imported ? `<span class="badge">imported, not measured</span>` : info.predicted ? `<span class="badge">predicted</span>` : "";
  return `<section class="run" id="run-${index + 1}"><h2>${escapeHtml(r.run.label)}${badge}</h2>${runBody(r)}</section>`;
}

function singleRunBody(model: ReportModel): { nav: string; main: string } {
  const nav = [
    `<a href="#headline">Headline</a>`,
    `<a href="#analysis">Analysis</a>`,
    `<a href="#environment">Environment</a>`,
    ...model.runs.map((r, i) => `<a href="#run-${i + 1}">${escapeHtml(r.run.label)}</a>`),
    model.errors ? `<a href="#errors">Errors</a>` : "",
  ].join("");
  return { nav, main: [headline(model), analysisSection(model), environmentSection(model), model.runs.map(runSection).join("\n")].join("\n") };
}

/** Several runs: one overview across cells, a section per model × ctx, each cell's details folded. */
function matrixBody(model: ReportModel, matrix: NonNullable<ReportModel["matrix"]>): { nav: string; main: string } {
  const nav = [
    `<a href="#overview">Overview</a>`,
    dimensionNav(matrix) || (matrix.sections.length === 1 ? `<a href="#${escapeHtml(matrix.sections[0]?.section.id ?? "")}">Results</a>` : ""),
    `<a href="#comparison">Every cell</a>`,
    `<a href="#cells">Per-cell details</a>`,
    `<a href="#environment">Environment</a>`,
    model.errors ? `<a href="#errors">Errors</a>` : "",
  ].join("");
  const flat = model.crossTables.map((t) => htmlTable(t)).join("");
  const comparison = `<section id="comparison"><h2>Every cell</h2>${charts(model.crossCharts)}<details class="flat"><summary>Every cell in one table (sortable), and the comparisons across all cells</summary>${flat}</details></section>`;
  const env = sharedEnvironment(model.runs.map((r) => r.run));
  const environment = `<section id="environment"><h2>Environment</h2>${htmlTable(env.shared)}${env.differing ? `<details><summary>${escapeHtml(env.differing.title)}: ${escapeHtml(env.differing.columns.slice(1).map((c) => c.title).join(", "))}</summary>${htmlTable(env.differing, "", "")}</details>` : ""}</section>`;
  return { nav, main: [headline(model), matrixOverview(model, matrix), matrixSections(matrix), comparison, cellDetails(model, matrix), environment].join("\n") };
}

/**
 * Renders the whole page.
 * @example writeFileSync("report/report.html", renderReportHtml(model, { generatedAt: new Date().toISOString() }));
 */
export function renderReportHtml(model: ReportModel, options: HtmlOptions = {}): string {
  const { nav, main } = model.matrix ? matrixBody(model, model.matrix) : singleRunBody(model);
  const errors = model.errors ? `<section id="errors"><h2>Errors</h2>${htmlTable(model.errors)}</section>` : "";
  const generated = [options.servebenchVersion ? `servebench ${options.servebenchVersion}` : "servebench", options.generatedAt ? `generated ${options.generatedAt}` : ""].filter(Boolean).join(" · ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(SORT_SCRIPT))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)}</title>
<style>${REPORT_CSS}</style></head>
<body>
<header><h1>${escapeHtml(model.title)}</h1><p>${escapeHtml(generated)}</p></header>
<nav>${nav}</nav>
<main>
${main}
${errors}
</main>
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}
