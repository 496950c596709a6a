// Integration: `servebench report` on checked-in fixture runs against golden report.md and
// tables/*.csv (UPDATE_GOLDEN=1 rewrites them), PNG charts, escaping of hostile strings, and
// the report / compare / import commands through the built CLI.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateReport } from "../../src/report/generate-report.js";
import { importExternal } from "../../src/report/import-external.js";
import { runCli } from "../helpers/cli.js";
import { EXTERNAL_CSV, GOLDEN, HOSTILE, hostileRun, PLAN, SWEEP } from "./report-fixtures.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-report-"));
const update = process.env.UPDATE_GOLDEN === "1";

function goldenCheck(name: string, outDir: string): void {
  const golden = join(GOLDEN, name);
  const files = [
    "report.md",
    ...readdirSync(join(outDir, "tables"))
      .sort()
      .map((f) => join("tables", f)),
  ];
  if (update) {
    mkdirSync(join(golden, "tables"), { recursive: true });
    for (const f of files) writeFileSync(join(golden, f), readFileSync(join(outDir, f)));
  }
  const expected = [
    "report.md",
    ...readdirSync(join(golden, "tables"))
      .sort()
      .map((f) => join("tables", f)),
  ];
  expect(files).toEqual(expected);
  for (const f of files) expect(readFileSync(join(outDir, f), "utf8"), `${name}/${f}`).toBe(readFileSync(join(golden, f), "utf8"));
}

describe("report golden files", () => {
  it("plan: seed 003 tables (pipeline vs tensor per GPU preset), per-cell bars, errors", async () => {
    const out = join(tmp, "plan");
    const result = await generateReport({ paths: [PLAN], outDir: out, png: false });
    expect(result.model.runs.map((r) => r.run.label)).toEqual(["H100X1 · pp", "H100X1 · tp", "H100X2 · pp", "H100X2 · tp"]);
    goldenCheck("plan", out);
  });

  it("sweep: seed 001 and 004 tables, knee, SLO pick and warnings, with PNG charts", async () => {
    const out = join(tmp, "sweep");
    const result = await generateReport({ paths: [SWEEP], outDir: out });
    goldenCheck("sweep", out);
    const pngs = result.files.filter((f) => f.endsWith(".png"));
    expect(pngs.length).toBeGreaterThanOrEqual(12);
    for (const f of pngs) expect(readFileSync(join(out, f)).subarray(1, 4).toString()).toBe("PNG");
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("Saturation knee at c=32");
    expect(md).toContain("prefix-cache hit rate flatters the result");
    expect(md).toContain("](charts/run1-sweep-throughput.png)");
  });

  it("imported engines beside each other: seed 002 comparison with ratios to a baseline", async () => {
    const imported = join(tmp, "external");
    importExternal(EXTERNAL_CSV, imported);
    const out = join(tmp, "external-report");
    await generateReport({ paths: [imported], outDir: out, png: false, baseline: "engine=Nano-vLLM" });
    goldenCheck("external", out);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("engine = vLLM.rs vs Nano-vLLM over 1 matched cell: generation throughput median +43.3%");
  });

  it("shows the same numbers in Markdown, HTML and CSV (one table model, three renderers)", async () => {
    const out = join(tmp, "contract");
    const { model } = await generateReport({ paths: [SWEEP], outDir: out, png: false });
    const md = readFileSync(join(out, "report.md"), "utf8");
    const html = readFileSync(join(out, "report.html"), "utf8");
    const table = model.runs[0]?.tables[0];
    expect(table).toBeDefined();
    const csv = readFileSync(join(out, "tables", `${table?.id ?? ""}.csv`), "utf8");
    for (const row of table?.rows ?? []) {
      const qps = row[1] as number;
      expect(md).toContain(`| ${qps.toFixed(3)} |`);
      expect(html).toContain(`data-v="${qps}">${qps.toFixed(3)}<`);
      expect(csv).toContain(`,${Number(qps.toFixed(6))},`);
    }
  });
});

describe("hostile strings", () => {
  it("never reach HTML, SVG, PNG rendering or Markdown unescaped", async () => {
    const out = join(tmp, "hostile");
    await generateReport({ paths: [hostileRun()], outDir: out });
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html.match(/<script/g)).toHaveLength(1); // ours, at the end
    for (const bad of ["<script>window", "<img src=x", "<svg onload", "<b onmouseover", "</td><script"]) expect(html).not.toContain(bad);
    expect(html).toContain(escapeForTest(HOSTILE.model));
    expect(html).toContain("&lt;img src=x onerror=window.__xss=1&gt;");
    const md = readFileSync(join(out, "report.md"), "utf8");
    for (const bad of ["<script", "<img", "<svg", "<b "]) expect(md).not.toContain(bad);
    expect(readdirSync(join(out, "charts")).length).toBeGreaterThan(5); // resvg parsed every escaped SVG
  });
});

function escapeForTest(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

describe("report, compare and import commands", () => {
  const cells = join(PLAN, "cells");

  it("report writes its files and prints the analysis; a missing directory is bad input", async () => {
    const out = join(tmp, "cli-report");
    const r = await runCli(["report", PLAN, "--out", out, "--no-png", "--baseline", "parallel=pp"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("parallel = tp vs pp over 4 matched cells");
    expect(existsSync(join(out, "report.html"))).toBe(true);
    const missing = await runCli(["report", join(tmp, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file or directory/);
  });

  it("report digests on worker threads (forced here; automatic past 64 MiB) with the same result", async () => {
    const out = join(tmp, "cli-workers");
    const r = await runCli(["report", SWEEP, "--out", out, "--no-png"], { env: { SERVEBENCH_REPORT_WORKERS: "3" } });
    expect(r.code).toBe(0);
    const golden = readFileSync(join(GOLDEN, "sweep", "report.md"), "utf8").replace(/!\[.*\n\n/g, ""); // --no-png: no chart links
    expect(readFileSync(join(out, "report.md"), "utf8")).toBe(golden);
  });

  it("compare prints changes with intervals; --fail-if sets exit 4, bad input exit 2", async () => {
    const pass = await runCli(["compare", join(cells, "h100x1-pp"), join(cells, "h100x2-tp"), "--fail-if", "tpot_ms.p99 > +5%", "--resamples", "300"]);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toMatch(/tpot_ms\.p99 .* -2\d\.\d% +\[-\d+\.\d%, -\d+\.\d%\] +significant/);
    const fail = await runCli(["compare", join(cells, "h100x2-tp"), join(cells, "h100x1-pp"), "--fail-if", "tpot_ms.p99 > +5%", "--resamples", "300"]);
    expect(fail.code).toBe(4);
    expect(fail.stdout).toMatch(/FAIL tpot_ms\.p99 > \+5% at c=1/);
    expect((await runCli(["compare", PLAN, SWEEP])).code).toBe(2);
    expect((await runCli(["compare", join(cells, "h100x1-pp"), join(cells, "h100x1-tp"), "--fail-if", "tpot_ms.p99 >> 5"])).code).toBe(2);
    const json = await runCli(["compare", join(cells, "h100x1-pp"), join(cells, "h100x1-tp"), "--json", "--metric", "ttft_ms.p50", "--resamples", "200"]);
    expect((JSON.parse(json.stdout) as { levels: unknown[] }).levels).toHaveLength(2);
  });

  it("import turns a CSV into run directories marked as imported", async () => {
    const out = join(tmp, "cli-import");
    const r = await runCli(["import", EXTERNAL_CSV, "--out", out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      "nano-vllm-a100-qwen3-0-6b",
      "nano-vllm-reference-rtx-4070-qwen3-0-6b",
      "vllm-reference-rtx-4070-qwen3-0-6b",
      "vllm-rs-a100-qwen3-0-6b",
    ]);
    const summary = JSON.parse(readFileSync(join(out, "vllm-rs-a100-qwen3-0-6b", "summary.json"), "utf8")) as { run: { imported: unknown } };
    expect(summary.run.imported).toEqual({ source: "external.csv", row: 3 });
    expect((await runCli(["import", join(tmp, "missing.csv")])).code).toBe(2);
  });
});
