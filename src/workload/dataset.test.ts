// Tests for the JSONL dataset parser: good rows, blank lines, and malformed rows reported as
// E_DATASET with <file>:<line>.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isBenchError } from "../errors.js";
import { loadJsonlDataset, parseJsonlDataset } from "./dataset.js";

const FIXTURES = join(import.meta.dirname, "../../test/fixtures/workload");

function datasetError(fn: () => unknown): { message: string; where: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (isBenchError(error) && error.code === "E_DATASET") return { message: error.message, where: error.where };
    throw error;
  }
  throw new Error("expected an E_DATASET error");
}

describe("loadJsonlDataset", () => {
  it("reads prompts, messages and output_tokens, skipping blank lines", () => {
    const file = join(FIXTURES, "good.jsonl");
    const rows = loadJsonlDataset(file);
    expect(rows).toEqual([
      { prompt: "Write a haiku about GPUs.", outputTokens: 32, where: `${file}:1` },
      {
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "Name three primes." },
        ],
        where: `${file}:3`,
      },
      {
        prompt: "Both fields",
        messages: [{ role: "user", content: "Both fields" }],
        outputTokens: 8,
        where: `${file}:4`,
      },
      { prompt: "null output tokens mean unset", where: `${file}:6` },
    ]);
  });

  it("names the file and line of invalid JSON", () => {
    const file = join(FIXTURES, "bad-json.jsonl");
    const error = datasetError(() => loadJsonlDataset(file));
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3: invalid JSON`));
    expect(error.where).toBe(`${file}:3`);
  });

  it("reports a missing file", () => {
    const file = join(FIXTURES, "does-not-exist.jsonl");
    const error = datasetError(() => loadJsonlDataset(file));
    expect(error.message).toBe(`${file}: cannot read dataset (ENOENT)`);
    expect(error.where).toBe(file);
  });
});

describe("parseJsonlDataset", () => {
  it("handles CRLF, a BOM and trailing blank lines", () => {
    const rows = parseJsonlDataset('\uFEFF{"prompt":"a"}\r\n\r\n{"prompt":"b"}\r\n\n', "d.jsonl");
    expect(rows.map((r) => [r.prompt, r.where])).toEqual([
      ["a", "d.jsonl:1"],
      ["b", "d.jsonl:3"],
    ]);
  });

  it.each([
    ['{"prompt":"ok"}\n[1,2]', "d.jsonl:2: expected a JSON object per line"],
    ['{"text":"no prompt"}', 'd.jsonl:1: needs "prompt" (string) or "messages" (array of {role, content})'],
    ['{"prompt":42}', 'd.jsonl:1: "prompt" must be a string, got a number'],
    ['{"prompt":""}', 'd.jsonl:1: "prompt" is empty'],
    ['{"messages":"hi"}', 'd.jsonl:1: "messages" must be an array of {role, content}, got a string'],
    ['{"messages":[]}', 'd.jsonl:1: "messages" is empty'],
    ['{"messages":[{"role":"user","content":"a"},"b"]}', "d.jsonl:1: messages[1] must be an object {role, content}, got a string"],
    ['{"messages":[{"role":"robot","content":"a"}]}', 'd.jsonl:1: messages[0].role must be one of system, user, assistant, got "robot"'],
    ['{"messages":[{"content":"a"}]}', "d.jsonl:1: messages[0].role must be one of system, user, assistant, got nothing"],
    ['{"messages":[{"role":"user","content":null}]}', "d.jsonl:1: messages[0].content must be a string, got null"],
    ['{"prompt":"a","output_tokens":0}', 'd.jsonl:1: "output_tokens" must be a positive integer, got 0'],
    ['{"prompt":"a","output_tokens":1.5}', 'd.jsonl:1: "output_tokens" must be a positive integer, got 1.5'],
    ['{"prompt":"a","output_tokens":"64"}', 'd.jsonl:1: "output_tokens" must be a positive integer, got "64"'],
    ["\n\n  \n", "d.jsonl: dataset has no rows"],
  ])("rejects %j", (text, message) => {
    expect(datasetError(() => parseJsonlDataset(text, "d.jsonl")).message).toBe(message);
  });
});
