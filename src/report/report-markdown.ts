// Owns report.md: the analysis in words, warnings, the environment, and the tables in the
// layouts of our users' hand-written reports (seeds 000–004), with links to charts/*.png.
// Deterministic for the same inputs (golden-file tested): no clock, no absolute paths.

import { mdCell, mdCode } from "./escape.js";
import { envRows, sharedEnvironment } from "./env-summary.js";
import { matrixMarkdown } from "./markdown-matrix.js";
import type { ReportModel, ReportRun } from "./report-model.js";
import { renderMarkdownTable, type Table } from "./table.js";

const ENV_COLUMNS_MAX = 6;

function tableBlock(table: Table, heading = "###"): string[] {
  const out = [`${heading} ${mdCell(table.title)}`, "", renderMarkdownTable(table)];
  if (table.notes && table.notes.length > 0) out.push("", ...table.notes.map((n) => `- ${mdCell(n)}`));
  out.push("");
  return out;
}

function environment(model: ReportModel): string[] {
  const runs = model.runs.slice(0, ENV_COLUMNS_MAX);
  const rowsPerRun = runs.map((r) => new Map(envRows(r.run)));
  const fields: string[] = [];
  for (const rows of rowsPerRun) for (const k of rows.keys()) if (!fields.includes(k)) fields.push(k);
  const out = ["## Environment", ""];
  out.push(`| Field | ${runs.map((r) => mdCell(r.run.label)).join(" | ")} |`, `|---|${runs.map(() => "---").join("|")}|`);
  for (const f of fields) out.push(`| ${f} | ${rowsPerRun.map((rows) => mdCell(rows.get(f) ?? "")).join(" | ")} |`);
  if (model.runs.length > ENV_COLUMNS_MAX) out.push("", `- ${model.runs.length - ENV_COLUMNS_MAX} more runs: see report.html.`);
  out.push("");
  return out;
}

function chartLink(name: string, title: string, pngs: ReadonlySet<string>): string[] {
  return pngs.has(name) ? [`![${mdCell(title).replace(/[[\]]/g, "")}](charts/${name}.png)`, ""] : [];
}

function analysis(model: ReportModel): string[] {
  const out = ["## Analysis", ""];
  if (model.crossFindings.length > 0) out.push("### Across runs", "", ...model.crossFindings.map((f) => `- ${mdCell(f)}`), "");
  for (const r of model.runs) {
    out.push(`### ${mdCell(r.run.label)}`, "", ...r.analysis.findings.map((f) => `- ${mdCell(f)}`), "");
  }
  const warned = model.runs.filter((r) => r.warnings.length > 0);
  if (warned.length > 0) {
    out.push("## Warnings", "");
    for (const r of warned) for (const w of r.warnings) out.push(`- **${mdCell(r.run.label)}**: ${mdCell(w)}`);
    out.push("");
  }
  return out;
}

function runSection(r: ReportRun, pngs: ReadonlySet<string>, heading = "##"): string[] {
  const info = r.run.summary.run;
  const out = [`${heading} ${mdCell(r.run.label)}`, ""];
  out.push(`- Directory: ${mdCell(r.run.relDir)}${r.run.imported ? " · **imported, not measured by servebench**" : ""}`);
  out.push(`- Model: ${mdCell(info.model)} · workload: ${mdCell(info.workload)}${r.sloText ? ` · SLO ${mdCode(r.sloText)}` : ""}`);
  // In a plan, each cell's own findings sit with its tables (the overview says what holds across cells).
  if (heading !== "##") out.push(...r.analysis.findings.map((f) => `- ${mdCell(f)}`), ...r.warnings.map((w) => `- ⚠ ${mdCell(w)}`));
  out.push("");
  const throughput = r.charts.find((c) => c.name.endsWith("-throughput"));
  if (throughput) out.push(...chartLink(throughput.name, throughput.spec.title, pngs));
  for (const t of r.tables) out.push(...tableBlock(t, heading === "##" ? "###" : "####"));
  return out;
}

/**
 * Renders report.md from the model; `pngs` names the charts written as charts/<name>.png.
 * @example writeFileSync("report/report.md", renderReportMarkdown(model, new Set(["pareto"])));
 */
export function renderReportMarkdown(model: ReportModel, pngs: ReadonlySet<string> = new Set()): string {
  const lines: string[] = [`# ${mdCell(model.title)}`, ""];
  if (model.matrix) {
    lines.push(...matrixMarkdown(model, model.matrix, pngs));
    lines.push("## Every cell", "");
    for (const name of ["pareto", "throughput-by-run"]) {
      const c = model.crossCharts.find((x) => x.name === name);
      if (c) lines.push(...chartLink(c.name, c.spec.title, pngs));
    }
    for (const t of model.crossTables) lines.push(...tableBlock(t));
    lines.push("## Per-cell details", "");
    for (const r of model.runs) lines.push(...runSection(r, pngs, "###"));
    const env = sharedEnvironment(model.runs.map((r) => r.run));
    lines.push("## Environment", "", `### ${mdCell(env.shared.title)}`, "", renderMarkdownTable(env.shared), "");
    if (env.differing) lines.push(`### ${mdCell(env.differing.title)}`, "", renderMarkdownTable(env.differing), "");
    if (model.errors) lines.push("## Errors", "", ...tableBlock(model.errors));
    return `${lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
  }
  lines.push(`${model.runs.length} run${model.runs.length === 1 ? "" : "s"}: ${model.runs.map((r) => `**${mdCell(r.run.label)}**`).join(", ")}.`, "");
  lines.push(...analysis(model));
  lines.push(...environment(model));
  if (model.crossTables.length > 0) {
    lines.push("## Comparison across runs", "");
    for (const name of ["pareto", "throughput-by-run"]) {
      const c = model.crossCharts.find((x) => x.name === name);
      if (c) lines.push(...chartLink(c.name, c.spec.title, pngs));
    }
    for (const t of model.crossTables) lines.push(...tableBlock(t));
  }
  for (const r of model.runs) lines.push(...runSection(r, pngs));
  if (model.errors) lines.push("## Errors", "", ...tableBlock(model.errors));
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}
