// Owns report.md's plan layout (seed 003): the matrix in one sentence, findings and warnings once
// across cells, then a section per model × ctx with its seed-style tables, chart links and
// observations. Deterministic (golden-file tested).

import { mdCell } from "./escape.js";
import type { MatrixReport, ReportModel } from "./report-model.js";
import type { ChartEntry } from "./run-charts.js";
import { renderMarkdownTable, type Table } from "./table.js";

function chartLinks(entries: readonly ChartEntry[], pngs: ReadonlySet<string>): string[] {
  return entries.filter((c) => pngs.has(c.name)).flatMap((c) => [`![${mdCell(c.spec.title).replace(/[[\]]/g, "")}](charts/${c.name}.png)`, ""]);
}

function table(t: Table, heading: string | null): string[] {
  const out = heading === null ? [] : [heading, ""];
  out.push(renderMarkdownTable(t), "");
  if (t.notes && t.notes.length > 0) out.push(...t.notes.map((n) => `- ${mdCell(n)}`), "");
  return out;
}

/** "## Overview" down to the last section. */
export function matrixMarkdown(model: ReportModel, matrix: MatrixReport, pngs: ReadonlySet<string>): string[] {
  const out = [mdCell(matrix.summary), "", "## Overview", "", ...model.crossFindings.map((f) => `- ${mdCell(f)}`), ""];
  if (matrix.warnings.length > 0) out.push("### Warnings", "", ...matrix.warnings.map((w) => `- ${mdCell(w)}`), "");
  if (matrix.settings) out.push(...table(matrix.settings, `### ${mdCell(matrix.settings.title)}`));
  out.push(...chartLinks(matrix.charts, pngs));
  for (const s of matrix.sections) {
    out.push(`## ${mdCell(s.section.title)}`, "");
    s.tables.forEach((t, i) => out.push(...table(t, i === 0 ? null : `### ${mdCell(t.title.slice(s.section.title.length + 2))}`)));
    out.push(...chartLinks(s.charts, pngs));
    out.push("**Observations**", "", ...s.observations.map((o) => `- ${mdCell(o)}`), "");
  }
  return out;
}
