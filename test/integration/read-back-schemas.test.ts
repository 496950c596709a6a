// End-to-end: files servebench reads back are checked against their schema. A summary.json with
// a string or null where a number goes is refused by compare, report and calibrate with one line
// naming the file and the field path (exit 2), never shown as a −100 % change or passed by
// --fail-if; an imported table with a non-numeric number column is refused naming row and column.

import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/plan.js";

const FIXTURE = fileURLToPath(new URL("../fixtures/report/sweep/", import.meta.url));
const dir = tempDir("read-back");
cpSync(FIXTURE, join(dir, "good"), { recursive: true });

type Summary = { levels: Array<Record<string, unknown> & { requests: Record<string, unknown>; ttft_ms: Record<string, unknown> }> };
function variant(name: string, change: (s: Summary) => void): string {
  const out = join(dir, name);
  cpSync(FIXTURE, out, { recursive: true });
  const summary = JSON.parse(readFileSync(join(FIXTURE, "summary.json"), "utf8")) as Summary;
  change(summary);
  writeFileSync(join(out, "summary.json"), JSON.stringify(summary));
  return out;
}

const cases = [
  {
    name: "completed-lots",
    change: (s: Summary) => void (s.levels[0]!.requests.completed = "lots"),
    field: /levels\[0\]\.requests\.completed: expected number, got string "lots"/,
  },
  {
    name: "otps-fast",
    change: (s: Summary) => s.levels.forEach((l) => (l.output_tokens_per_s = "fast")),
    field: /levels\[0\]\.output_tokens_per_s: expected number, got string "fast"/,
  },
  { name: "p99-null", change: (s: Summary) => s.levels.forEach((l) => (l.ttft_ms.p99 = null)), field: /levels\[0\]\.ttft_ms\.p99: expected number, got null/ },
];

describe("schema-violating summaries", () => {
  for (const c of cases) {
    it(`compare and report refuse ${c.name}, naming the file and field`, async () => {
      const bad = variant(c.name, c.change);
      const compare = await runCli(["compare", join(dir, "good"), bad]);
      expect(compare.code).toBe(2);
      expect(compare.stderr).toMatch(c.field);
      expect(compare.stderr).toContain(join(bad, "summary.json"));
      expect(compare.stdout).not.toContain("-100.0%");
      const report = await runCli(["report", bad, "--out", join(dir, `report-${c.name}`), "--no-png"]);
      expect(report.code).toBe(2);
      expect(report.stderr).toMatch(c.field);
      expect(report.stderr).not.toMatch(/internal error|\n\s+at /);
    }, 60_000);
  }

  it("--fail-if never passes on a string", async () => {
    const bad = variant("fail-if", cases[1]!.change);
    const result = await runCli(["compare", join(dir, "good"), bad, "--fail-if", "output_tokens_per_s < 1"]);
    expect(result.code).toBe(2);
  }, 60_000);

  it("import refuses a number column holding text, naming row and column", async () => {
    mkdirSync(join(dir, "tables"), { recursive: true });
    const file = join(dir, "tables", "t.csv");
    writeFileSync(file, "engine,tokens,time_s,requests\nvllm,1000,10,lots\n");
    const result = await runCli(["import", file, "--out", join(dir, "imported")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/t\.csv row 1: column requests: expected a non-negative number, got "lots"/);
  }, 60_000);
});
