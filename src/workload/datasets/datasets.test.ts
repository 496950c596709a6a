// Tests for --dataset: ShareGPT, JSON array, JSONL and CSV on good and malformed files (an
// E_DATASET error naming file:line), format detection, and the seeded --dataset-sample.
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isBenchError } from "../../errors.js";
import { parseCsv } from "./csv.js";
import { scanJsonArray } from "./json-array-scan.js";
import { loadDataset } from "./load-dataset.js";

const FIXTURES = join(import.meta.dirname, "../../../test/fixtures/workload");
const tmp = mkdtempSync(join(tmpdir(), "servebench-datasets-"));
function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

function datasetError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isBenchError(error) && error.code === "E_DATASET") return error.message;
    throw error;
  }
  throw new Error("expected an E_DATASET error");
}

describe("ShareGPT", () => {
  it("reads the bundled sample: first human turn → prompt, its answer → target, all turns kept", () => {
    const path = join(FIXTURES, "sharegpt-sample.json");
    const d = loadDataset(path);
    expect(d.format).toBe("sharegpt");
    expect(d.entries).toBe(103);
    expect(d.skipped).toBe(3); // gpt-only, unanswered, empty
    expect(d.rows).toHaveLength(100);
    const row = d.rows[0];
    expect(row?.prompt).toBe(row?.turns?.[0]?.user);
    expect(row?.answer).toBe(row?.turns?.[0]?.answer);
    expect(row?.where).toBe(`${path}:2`);
    expect(d.rows.some((r) => (r.turns?.length ?? 0) >= 3)).toBe(true);
    expect(d.rows.some((r) => r.messages?.[0]?.role === "system")).toBe(true);
  });

  it("samples N rows by a seeded shuffle: same seed, same rows", () => {
    const path = join(FIXTURES, "sharegpt-sample.json");
    const a = loadDataset(path, { sample: 10, seed: 3 }).rows.map((r) => r.where);
    expect(loadDataset(path, { sample: 10, seed: 3 }).rows.map((r) => r.where)).toEqual(a);
    expect(loadDataset(path, { sample: 10, seed: 4 }).rows.map((r) => r.where)).not.toEqual(a);
    expect(new Set(a).size).toBe(10);
  });

  it("names file and line of a malformed conversation", () => {
    const path = join(FIXTURES, "bad-sharegpt.json");
    expect(datasetError(() => loadDataset(path))).toMatch(new RegExp(`^${path}:3: "conversations" must be an array`));
    expect(datasetError(() => loadDataset(file("bad-val.json", '[\n{"conversations": [{"from": "human", "value": 12}]}]')))).toMatch(
      /bad-val\.json:2: conversations\[0\]\.value must be a string/,
    );
    expect(datasetError(() => loadDataset(file("bad-syntax.json", '[\n{"conversations": [] "x"}]')))).toMatch(/bad-syntax\.json:2: invalid JSON/);
    expect(datasetError(() => loadDataset(file("trunc.json", '[{"conversations": [\n{"from": "human", "value": "x"}')))).toMatch(
      /trunc\.json:1: element is not closed/,
    );
    expect(datasetError(() => loadDataset(file("bad-el.json", '[\n{"conversations": []},\n{"conversations": [}\n]')))).toMatch(/bad-el\.json:3: mismatched }/);
  });
});

describe("JSON array, JSONL and CSV", () => {
  it("reads a JSON array of {prompt | messages} rows", () => {
    const d = loadDataset(file("rows.json", '[{"prompt": "a", "output_tokens": 3},\n {"messages": [{"role": "user", "content": "b"}]}]'));
    expect(d.format).toBe("json");
    expect(d.rows.map((r) => r.prompt ?? r.messages?.[0]?.content)).toEqual(["a", "b"]);
    expect(datasetError(() => loadDataset(file("rows-bad.json", '[{"prompt": "a"},\n {"prompt": 3}]')))).toMatch(/rows-bad\.json:2: "prompt" must be a string/);
  });

  it("detects JSONL by extension or content and keeps its errors", () => {
    expect(loadDataset(join(FIXTURES, "good.jsonl")).format).toBe("jsonl");
    expect(loadDataset(file("noext", '{"prompt": "x"}\n')).format).toBe("jsonl");
    expect(datasetError(() => loadDataset(join(FIXTURES, "bad-json.jsonl")))).toMatch(/bad-json\.jsonl:\d+: /);
    expect(() => loadDataset(file("weird", "hello"))).toThrow(/pass `datasetFormat`/);
  });

  it("reads CSV with quoted fields, embedded newlines and optional output_tokens", () => {
    const path = join(FIXTURES, "good.csv");
    const d = loadDataset(path);
    expect(d.format).toBe("csv");
    expect(d.rows).toEqual([
      { prompt: "Write a haiku about GPUs.", outputTokens: 32, where: `${path}:2` },
      { prompt: 'A prompt, with a comma and "quotes"', where: `${path}:3` },
      { prompt: "A prompt\nover two lines", outputTokens: 8, where: `${path}:4` },
    ]);
    const messages = file("m.csv", 'messages\n"[{""role"": ""user"", ""content"": ""hi""}]"\n');
    expect(loadDataset(messages).rows[0]?.messages).toEqual([{ role: "user", content: "hi" }]);
  });

  it("names file and line of malformed CSV", () => {
    expect(datasetError(() => loadDataset(join(FIXTURES, "bad-columns.csv")))).toMatch(/bad-columns\.csv:3: expected 2 fields/);
    expect(datasetError(() => loadDataset(file("nohead.csv", "text,n\nhello,3\n")))).toMatch(/nohead\.csv:1: the header needs a "prompt"/);
    expect(datasetError(() => loadDataset(file("quote.csv", 'prompt\n"ok"\n"never closed\n')))).toMatch(/quote\.csv:3: unterminated/);
    expect(datasetError(() => loadDataset(file("n.csv", "prompt,output_tokens\nhi,-2\n")))).toMatch(/n\.csv:2: "output_tokens" must be a positive integer/);
    expect(datasetError(() => loadDataset(file("msg.csv", "messages\nnot json\n")))).toMatch(/msg\.csv:2: "messages" must be a JSON array/);
  });

  it("a sample larger than the file gives every usable row", () => {
    expect(loadDataset(join(FIXTURES, "good.csv"), { sample: 50, seed: 1 }).rows).toHaveLength(3);
  });
});

describe("low-level readers", () => {
  it("parseCsv handles CRLF, empty cells and quotes", () => {
    expect(parseCsv('a,b\r\n"x ""y""",\r\n\r\n1,2', "f")).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 2, cells: ['x "y"', ""] },
      { line: 4, cells: ["1", "2"] },
    ]);
  });

  it("scanJsonArray finds elements with their lines, strings with brackets included", () => {
    const text = '[\n {"a": "]}{[,"},\n [1, 2],\n "s\\"]",\n 3\n]';
    const elements = scanJsonArray(Buffer.from(text), "f");
    expect(elements.map((e) => [text.slice(e.start, e.end), e.line])).toEqual([
      ['{"a": "]}{[,"}', 2],
      ["[1, 2]", 3],
      ['"s\\"]"', 4],
      ["3", 5],
    ]);
    expect(scanJsonArray(Buffer.from(" [ ] "), "f")).toEqual([]);
    expect(() => scanJsonArray(Buffer.from('{"a": 1}'), "f")).toThrow(/f:1: expected a JSON array/);
  });
});
