// Owns the table model that report.md, report.html and tables/*.csv all render from, so the
// three always show the same numbers. Cells hold raw values; columns say how to print them.

import { csvField, mdCell } from "./escape.js";

export type CellValue = number | string | null;

export interface Column {
  /** snake_case CSV header. */
  key: string;
  /** Human title for Markdown and HTML (the seeds' wording). */
  title: string;
  /** Decimal places for numbers; undefined = text column. */
  digits?: number;
  /** `pct`: a fractional change shown as +12.3%; `share`: a fraction shown as 12.3%; `int`: rounded. */
  format?: "pct" | "share" | "int";
  /** Right-align a text column that holds numbers (token ranges such as "500–520"). */
  align?: "right";
}

export interface Table {
  id: string;
  title: string;
  columns: Column[];
  rows: CellValue[][];
  /** Sentences printed under the table. */
  notes?: string[];
}

/** How a cell reads in Markdown and HTML. */
export function formatCell(value: CellValue, column: Column): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (!Number.isFinite(value)) return "";
  if (column.format === "pct") return `${value >= 0 ? "+" : ""}${(value * 100).toFixed(column.digits ?? 1)}%`;
  if (column.format === "share") return `${(value * 100).toFixed(column.digits ?? 1)}%`;
  if (column.format === "int") return String(Math.round(value));
  return column.digits === undefined ? String(value) : value.toFixed(column.digits);
}

export function isNumericColumn(column: Column): boolean {
  return column.digits !== undefined || column.format !== undefined || column.align === "right";
}

export function renderMarkdownTable(table: Table): string {
  const header = `| ${table.columns.map((c) => mdCell(c.title)).join(" | ")} |`;
  const rule = `|${table.columns.map((c) => (isNumericColumn(c) ? "---:" : "---")).join("|")}|`;
  const rows = table.rows.map((row) => `| ${table.columns.map((c, i) => mdCell(formatCell(row[i] ?? null, c))).join(" | ")} |`);
  return [header, rule, ...rows].join("\n");
}

export function renderCsvTable(table: Table): string {
  const lines = [table.columns.map((c) => csvField(c.key)).join(",")];
  for (const row of table.rows) lines.push(table.columns.map((_, i) => csvField(row[i] ?? null)).join(","));
  return `${lines.join("\n")}\n`;
}
