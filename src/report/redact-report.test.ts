// Redaction runs over every report and summary servebench writes: on results without secrets it
// must change nothing (no CSS, script, SVG or table cell that merely looks like `key: value`).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { redactText } from "../config/redact.js";
import { renderCsv } from "./csv.js";
import { renderReportHtml } from "./html-report.js";
import { renderMarkdown } from "./markdown.js";
import { buildReportModel } from "./report-model.js";
import { renderReportMarkdown } from "./report-markdown.js";
import { parseSummary } from "../results/summary-schema.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/report/", import.meta.url));

describe("redaction of results without secrets", () => {
  it("leaves report.html, report.md and the summary files byte for byte as rendered", async () => {
    const model = await buildReportModel({ paths: [FIXTURES] });
    const html = renderReportHtml(model, { generatedAt: "2026-01-01T00:00:00Z" });
    const md = renderReportMarkdown(model, new Set());
    expect(redactText(html)).toBe(html);
    expect(redactText(md)).toBe(md);
    const path = `${FIXTURES}sweep/summary.json`;
    const summary = parseSummary(JSON.parse(readFileSync(path, "utf8")), path);
    for (const text of [JSON.stringify(summary, null, 2), renderCsv(summary), renderMarkdown(summary)]) expect(redactText(text)).toBe(text);
  }, 60_000);
});
