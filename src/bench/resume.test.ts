import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prepareResume } from "./resume.js";

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sb-resume-"));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ concurrency: [1, 2, 4], out: "elsewhere", target: "http://x", embedded_simulator: true }));
  writeFileSync(
    join(dir, "summary.json"),
    JSON.stringify({ schema: "servebench.summary/v1", run: {}, levels: [{ level: 0, interrupted: false }, { level: 1, interrupted: true }] }),
  );
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

  it("names the directory when it is not a run directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-resume-empty-"));
    expect(() => prepareResume(dir)).toThrow(/--resume: .* has no config\.json/);
  });
});
