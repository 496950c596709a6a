// Owns the pieces report.html is built from: tables (sortable, numbers carrying their raw value),
// chart boxes, lists and a run's charts and tables. Every data string goes through escapeHtml;
// charts are already escaped by the chart module.

import { renderChart } from "./chart/render.js";
import { escapeHtml } from "./escape.js";
import type { ReportRun } from "./report-model.js";
import type { ChartEntry } from "./run-charts.js";
import { formatCell, isNumericColumn, type Table } from "./table.js";

export function attr(name: string, value: string): string {
  return ` ${name}="${escapeHtml(value)}"`;
}

/**
 * A table with its title; `cls` adds a class to the table, `heading` replaces the title shown
 * (empty: none, when the section heading already says it).
 */
export function htmlTable(table: Table, cls = "", heading: string = table.title): string {
  const head = table.columns.map((c) => `<th${isNumericColumn(c) ? ' class="n"' : ""} scope="col">${escapeHtml(c.title)}</th>`).join("");
  const body = table.rows
    .map((row) => {
      const cells = table.columns.map((c, i) => {
        const v = row[i] ?? null;
        const text = escapeHtml(formatCell(v, c));
        if (typeof v === "number" && Number.isFinite(v)) return `<td class="n" data-v="${v}">${text}</td>`;
        const tdCls = c.align === "right" ? ' class="n"' : c.key === "notes" || c.key === "example" ? ' class="wrap"' : "";
        return `<td${tdCls}>${text}</td>`;
      });
      return `<tr>${cells.join("")}</tr>`;
    })
    .join("\n");
  const notes = (table.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join("");
  const title = heading === "" ? "" : `<h3>${escapeHtml(heading)}</h3>`;
  return `${title}<div class="table-wrap${cls ? " fit" : ""}"><table class="sortable${cls ? ` ${cls}` : ""}"${attr("data-table", table.id)}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>${notes}`;
}

export function charts(entries: readonly ChartEntry[]): string {
  if (entries.length === 0) return "";
  return `<div class="charts">${entries.map((c) => `<figure class="chart-box${c.spec.kind === "bar" && c.spec.facets ? " wide" : ""}"${attr("data-chart", c.name)}>${renderChart(c.spec)}</figure>`).join("\n")}</div>`;
}

export function list(items: readonly string[], cls: string): string {
  return items.length === 0 ? "" : `<ul class="${cls}">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`;
}

/** A run's directory line, charts and tables (no heading). */
export function runBody(r: ReportRun): string {
  const info = r.run.summary.run;
  let html = `<p class="note">${escapeHtml(`${r.run.relDir} · model ${info.model} · ${info.workload}${r.sloText ? ` · SLO ${r.sloText}` : ""}`)}</p>`;
  html += charts(r.charts);
  html += r.tables.map((t) => htmlTable(t)).join("");
  return html;
}
