// Owns OUT/cells.csv: one row per cell × load level, with the cell's id, status, every dimension
// and the same metric columns as summary.csv (rendered by src/report/csv.ts, never redefined here).
// A failed cell with no finished level still gets one row, with its reason.

import { parseSummary } from "../results/summary-schema.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderCsv } from "../report/csv.js";
import type { RunSummary } from "../results/run-summary.js";
import { readCellRecord, type CellRecord } from "./plan-out.js";

export interface CellResult {
  record: CellRecord;
  summary: RunSummary | undefined;
}

/** Splits one CSV line (RFC 4180 quoting). */
export function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') ((cur += '"'), i++);
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") (cells.push(cur), (cur = ""));
    else cur += ch;
  }
  cells.push(cur);
  return cells;
}

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function readCellResult(cellDir: string): CellResult | undefined {
  const record = readCellRecord(join(cellDir, "cell.json"));
  if (record === undefined) return undefined;
  const summaryPath = join(cellDir, "summary.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(summaryPath, "utf8"));
  } catch {
    return { record, summary: undefined };
  }
  // Present but not a summary: an error naming the file, never a row built from whatever it holds.
  return { record, summary: parseSummary(raw, summaryPath) };
}

export function renderCellsCsv(results: readonly CellResult[], dimensionNames: readonly string[]): string {
  const metricColumns: string[] = [];
  const rows: Array<{ result: CellResult; metrics: Map<string, string> | undefined }> = [];
  for (const result of results) {
    const levels = result.summary === undefined || result.summary.levels.length === 0 ? [] : renderCsv(result.summary).trimEnd().split("\n");
    const header = levels.length > 0 ? parseCsvLine(levels[0] ?? "") : [];
    for (const column of header) if (!metricColumns.includes(column)) metricColumns.push(column);
    if (levels.length <= 1) rows.push({ result, metrics: undefined });
    for (const line of levels.slice(1)) {
      const values = parseCsvLine(line);
      rows.push({ result, metrics: new Map(header.map((c, i) => [c, values[i] ?? ""])) });
    }
  }
  // A dimension named like a metric column (e.g. "concurrency") gets a dim_ prefix.
  const dimColumns = dimensionNames.map((d) => (metricColumns.includes(d) || ["cell", "status", "repeat", "reason"].includes(d) ? `dim_${d}` : d));
  const lines = [["cell", "status", "repeat", ...dimColumns, "reason", ...metricColumns].map(csvCell).join(",")];
  for (const { result, metrics } of rows) {
    const r = result.record;
    const cells = [r.id, r.status, r.repeat, ...dimensionNames.map((d) => r.dimensions[d]), r.reason];
    lines.push([...cells.map(csvCell), ...metricColumns.map((c) => csvCell(metrics?.get(c)))].join(","));
  }
  return `${lines.join("\n")}\n`;
}
