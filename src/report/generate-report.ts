// Owns `servebench report`'s output directory: report.html, report.md, tables/*.csv and
// charts/*.png, each written whole (temporary name, then rename). Library entry point.

import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { redactText } from "../config/redact.js";
import { BenchError } from "../errors.js";
import { svgsToPngs } from "./chart/png.js";
import { renderChart } from "./chart/render.js";
import { renderReportHtml } from "./html-report.js";
import { buildReportModel, type ReportModel, type ReportOptions } from "./report-model.js";
import { renderReportMarkdown } from "./report-markdown.js";
import type { ChartEntry } from "./run-charts.js";
import { renderCsvTable, type Table } from "./table.js";

export interface GenerateReportOptions extends ReportOptions {
  outDir: string;
  /** Rasterise every chart to charts/<name>.png (default true). */
  png?: boolean;
  generatedAt?: string;
  servebenchVersion?: string;
}

export interface GenerateReportResult {
  outDir: string;
  files: string[];
  model: ReportModel;
  htmlBytes: number;
}

function allTables(model: ReportModel): Table[] {
  const matrix = model.matrix ? [...(model.matrix.settings ? [model.matrix.settings] : []), ...model.matrix.sections.flatMap((s) => s.tables)] : [];
  return [...matrix, ...model.crossTables, ...model.runs.flatMap((r) => r.tables), ...(model.errors ? [model.errors] : [])];
}

/** Every chart of the report, in reading order. */
export function allCharts(model: ReportModel): ChartEntry[] {
  const matrix = model.matrix ? [...model.matrix.charts, ...model.matrix.sections.flatMap((s) => s.charts)] : [];
  return [...matrix, ...model.crossCharts, ...model.runs.flatMap((r) => r.charts)];
}

/**
 * Reads the runs under `paths` and writes the report files into `outDir`.
 * @example await generateReport({ paths: ["results/plan"], outDir: "report", slo: "ttft_ms<=500" });
 */
export async function generateReport(options: GenerateReportOptions): Promise<GenerateReportResult> {
  const model = await buildReportModel(options);
  const files: string[] = [];
  try {
    mkdirSync(join(options.outDir, "tables"), { recursive: true });
  } catch (cause) {
    throw new BenchError("E_IO", `--out: cannot write the report to ${options.outDir}: ${(cause as Error).message}`, { where: "--out", cause });
  }
  const write = (name: string, content: string | Buffer): void => {
    const path = join(options.outDir, name);
    writeFileSync(`${path}.tmp-${process.pid}`, typeof content === "string" ? redactText(content) : content);
    renameSync(`${path}.tmp-${process.pid}`, path);
    files.push(name);
  };
  const pngs = new Set<string>();
  if (options.png !== false) {
    mkdirSync(join(options.outDir, "charts"), { recursive: true });
    const charts = allCharts(model);
    const images = await svgsToPngs(charts.map((c) => renderChart(c.spec)));
    charts.forEach((c, i) => {
      write(join("charts", `${c.name}.png`), images[i] as Buffer);
      pngs.add(c.name);
    });
  }
  const used = new Set<string>();
  for (const t of allTables(model)) {
    let name = t.id;
    for (let i = 2; used.has(name); i++) name = `${t.id}-${i}`;
    used.add(name);
    write(join("tables", `${name}.csv`), renderCsvTable(t));
  }
  write("report.md", renderReportMarkdown(model, pngs));
  const html = renderReportHtml(model, {
    ...(options.generatedAt === undefined ? {} : { generatedAt: options.generatedAt }),
    ...(options.servebenchVersion === undefined ? {} : { servebenchVersion: options.servebenchVersion }),
  });
  write("report.html", html);
  return { outDir: options.outDir, files, model, htmlBytes: Buffer.byteLength(html) };
}
