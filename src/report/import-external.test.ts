// Unit tests for servebench import: loose numbers, CSV, completing rows, run directories marked as imported.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverRuns } from "./discover.js";
import { importExternal, parseCsv, parseLooseNumber, toExternalRow } from "./import-external.js";

describe("import parsing", () => {
  it("reads numbers the way people write them in tables", () => {
    expect(["1,434.13", "**10,977.55**", "83.13s", "262 144", "12 tokens/s", 5].map(parseLooseNumber)).toEqual([1434.13, 10977.55, 83.13, 262144, 12, 5]);
    expect(parseLooseNumber("n/a")).toBeNull();
  });

  it("parses quoted CSV with commas, quotes and CRLF", () => {
    expect(parseCsv('a,b\r\n"1,5","say ""x"""\r\n\r\n')).toEqual([["a", "b"], ["1,5", 'say "x"']]);
  });

  it("completes the third of tokens, time and throughput, and rejects rows with fewer than two", () => {
    expect(toExternalRow({ Engine: "x", Tokens: "1000", "Time (s)": "4" }, "r1").tokensPerS).toBe(250);
    expect(toExternalRow({ engine: "x", tokens: 1000, throughput: 500 }, "r1").timeS).toBe(2);
    expect(() => toExternalRow({ engine: "x", tokens: 1000 }, "f.csv row 3")).toThrow(/f.csv row 3: needs two of tokens/);
    expect(() => toExternalRow({ tokens: 1, time: 1 }, "r")).toThrow(/no engine/);
  });
});

describe("importExternal", () => {
  it("writes one run directory per row, marked as imported, that reports can discover", () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-import-"));
    const file = join(dir, "nano.json");
    writeFileSync(file, JSON.stringify([{ engine: "Nano-vLLM", hardware: "A100", model: "Qwen3-0.6B", requests: 256, tokens: 262144, time_s: 34.22 }, { engine: "vLLM.rs", hardware: "A100", tokens: 262144, throughput: 10977.55 }]));
    const dirs = importExternal(file, join(dir, "out"));
    expect(dirs.map((d) => d.slice(dir.length))).toEqual(["/out/nano-vllm-a100-qwen3-0-6b", "/out/vllm-rs-a100"]);
    const runs = discoverRuns([join(dir, "out")]);
    expect(runs.map((r) => [r.label, r.imported])).toEqual([["Nano-vLLM · Qwen3-0.6B (imported)", true], ["vLLM.rs (imported)", true]]);
    const level = runs[0]?.summary.levels[0];
    expect(level?.output_tokens_per_s).toBeCloseTo(262144 / 34.22);
    expect(level?.load).toEqual({ kind: "concurrency", concurrency: 256 });
    expect(JSON.parse(readFileSync(join(dirs[1] as string, "cell.json"), "utf8"))).toMatchObject({ imported: true, dimensions: { engine: "vLLM.rs", hardware: "A100" } });
  });
});
