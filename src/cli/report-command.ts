// Owns `servebench report DIR...`: flags → generateReport, a short account on stdout
// (files written, headline findings, warnings), exit code by outcome.

import { join } from "node:path";
import { servebenchVersion } from "../run/version.js";
import { parsePositiveNumber } from "../config/units.js";
import { generateReport } from "../report/generate-report.js";
import { EXIT } from "./exit-codes.js";

type Raw = Record<string, string | boolean | undefined>;

export async function reportCommand(dirs: readonly string[], raw: Raw): Promise<number> {
  const outDir = typeof raw.out === "string" ? raw.out : "report";
  const attainmentPct = typeof raw.sloAttainment === "string" ? parsePositiveNumber(raw.sloAttainment, "--slo-attainment") : 90;
  const result = await generateReport({
    paths: dirs,
    outDir,
    sloAttainment: attainmentPct / 100,
    png: raw.png !== false,
    generatedAt: new Date().toISOString(),
    servebenchVersion: servebenchVersion(),
    ...(typeof raw.slo === "string" ? { slo: raw.slo } : {}),
    ...(typeof raw.baseline === "string" ? { baseline: raw.baseline } : {}),
    ...(typeof raw.title === "string" ? { title: raw.title } : {}),
  });
  const { model } = result;
  const pngs = result.files.filter((f) => f.endsWith(".png")).length;
  const csvs = result.files.filter((f) => f.endsWith(".csv")).length;
  const lines = [
    `report: ${model.runs.length} run${model.runs.length === 1 ? "" : "s"} → ${join(outDir, "report.html")} (${(result.htmlBytes / 1024).toFixed(0)} KiB), ${join(outDir, "report.md")}, ${pngs} charts, ${csvs} tables`,
    ...model.crossFindings.map((f) => `  ${f}`),
  ];
  if (model.matrix) {
    // A plan: what holds across cells, each warning once; every cell's own findings are in the report.
    lines.splice(1, 0, `  ${model.matrix.summary}`);
    for (const w of model.matrix.warnings) lines.push(`  warning: ${w}`);
  } else {
    for (const r of model.runs) {
      lines.push(`${r.run.label}:`);
      for (const f of r.analysis.findings) lines.push(`  ${f}`);
      for (const w of r.warnings) lines.push(`  warning: ${w}`);
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return EXIT.ok;
}
