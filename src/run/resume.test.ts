import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { prepareResume } from "./resume.js";

const SUMMARY_FIXTURE = fileURLToPath(new URL("../../test/fixtures/report/sweep/summary.json", import.meta.url));

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sb-resume-"));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ concurrency: [1, 2, 4], out: "elsewhere", target: "http://x", embedded_simulator: true }));
  // A real summary (read back through its schema), with level 1 cut short.
  const summary = JSON.parse(readFileSync(SUMMARY_FIXTURE, "utf8")) as { levels: Array<{ level: number; interrupted: boolean }> };
  summary.levels = summary.levels.slice(0, 2).map((l, i) => ({ ...l, level: i, interrupted: i === 1 }));
  writeFileSync(join(dir, "summary.json"), JSON.stringify(summary));
  const lines = [
    { id: "0-0", level: 0 },
    { id: "0-1", level: 0 },
    { id: "1-0", level: 1 },
  ].map((r) => JSON.stringify(r));
  // The last line was torn by a kill -9 in the middle of a write.
  writeFileSync(join(dir, "requests.jsonl"), `${lines.join("\n")}\n{"id":"1-1","lev`);
  return dir;
}

describe("prepareResume", () => {
  it("keeps finished levels, moves the interrupted level's records aside, and drops a torn line", () => {
    const dir = runDir();
    const state = prepareResume(dir);
    expect([...state.finished.keys()]).toEqual([0]);
    expect(state.setAside).toBe(1);
    expect(state.config).toEqual({ concurrency: [1, 2, 4], out: dir });
    expect(readFileSync(join(dir, "requests.jsonl"), "utf8")).toBe('{"id":"0-0","level":0}\n{"id":"0-1","level":0}\n');
    expect(readFileSync(join(dir, "requests.partial-1.jsonl"), "utf8")).toBe('{"id":"1-0","level":1}\n');
  });

  it("never takes a command or a redacted value from config.json", () => {
    const dir = runDir();
    writeFileSync(join(dir, "config.json"), JSON.stringify({ concurrency: [1], gpuInfoCmd: "touch PLANTED", metricsUrl: "http://h/metrics?token=[redacted]" }));
    expect(() => prepareResume(dir)).toThrow(/metricsUrl was recorded redacted .* --metrics-url/);
    const state = prepareResume(dir, { metricsUrl: "http://h/metrics?token=t" });
    expect(state.config).toEqual({ concurrency: [1], metricsUrl: "http://h/metrics?token=t", out: dir });
    expect(state.warnings.join("\n")).toMatch(/gpuInfoCmd is not run on resume/);
  });

  it("refuses a summary.json that does not match its schema, naming the field", () => {
    const dir = runDir();
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as { levels: Array<Record<string, unknown>> };
    summary.levels[0]!.interrupted = "no";
    writeFileSync(join(dir, "summary.json"), JSON.stringify(summary));
    expect(() => prepareResume(dir)).toThrow(/summary\.json: levels\[0\]\.interrupted: expected boolean, got string "no"/);
  });

  it("names the directory when it is not a run directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-resume-empty-"));
    expect(() => prepareResume(dir)).toThrow(/--resume: .* has no config\.json/);
  });
});
