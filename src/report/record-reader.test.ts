// Unit tests for the fast requests.jsonl reader: byte-exact numbers (property test), escaped keys, torn lines.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RequestRecord } from "../client/record.js";
import { forEachRequestRecord, parseNumberArray } from "./record-reader.js";

function record(extra: Partial<RequestRecord> = {}): RequestRecord {
  return { id: "0-0", level: 0, index: 0, warmup: false, scheduledMs: 1.5, sentMs: 1.6, endMs: 90.125, tokenChunkMs: [10.001, 20.5, 1234.567], outcome: "ok", targetInputTokens: 8, outputChars: 9, ...extra };
}

async function readAll(lines: string[]): Promise<{ records: RequestRecord[]; malformed: number }> {
  const path = join(mkdtempSync(join(tmpdir(), "sb-records-")), "requests.jsonl");
  writeFileSync(path, lines.join("\n"));
  const records: RequestRecord[] = [];
  const stats = await forEachRequestRecord(path, (r) => records.push(r));
  return { records, malformed: stats.malformed };
}

describe("parseNumberArray", () => {
  it("gives exactly what JSON.parse gives for any millisecond timestamps", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e9, noNaN: true }), { maxLength: 40 }), (raw) => {
        const values = raw.map((v) => Math.round(v * 1000) / 1000);
        const text = JSON.stringify(values);
        const out: number[] = [];
        const end = parseNumberArray(Buffer.from(text), 1, text.length, out);
        if (end === -1) return; // left to JSON.parse (exponent or > 15 digits)
        expect(end).toBe(text.length);
        expect(out).toEqual(JSON.parse(text));
      }),
    );
  });

  it("refuses exponents so that JSON.parse handles them", () => {
    expect(parseNumberArray(Buffer.from("[1e-7]"), 1, 6, [])).toBe(-1);
  });
});

describe("forEachRequestRecord", () => {
  it("reads records equal to JSON.parse, including error text that mimics the array key", async () => {
    // The message comes first in the line, so the reader must see its quotes are escaped.
    const tricky = { error: { code: "http_500", message: 'bad "tokenChunkMs":[1,2] \\"tokenChunkMs\\":[' }, ...record({ outcome: "error", tokenChunkMs: [5] }) };
    const lines = [record(), tricky, record({ tokenChunkMs: [1e-7, 2] })].map((r) => JSON.stringify(r));
    const { records, malformed } = await readAll([...lines, '{"torn":']);
    expect(records).toEqual(lines.map((l) => JSON.parse(l) as RequestRecord));
    expect(malformed).toBe(1);
  });
});

describe("records that are JSON but not request records", () => {
  it("are an error naming the file, the line and the field; a torn line is still only counted", async () => {
    const good = JSON.stringify(record());
    await expect(readAll([good, JSON.stringify(record({ endMs: "late" as unknown as number }))])).rejects.toThrow(/requests\.jsonl:2: endMs: expected number, got string "late"/);
    await expect(readAll([JSON.stringify({ ...record(), tokenChunkMs: [1, "x"] })])).rejects.toThrow(/:1: tokenChunkMs\[1\]: expected number/);
    await expect(readAll([JSON.stringify({ ...record(), outcome: "great" })])).rejects.toThrow(/outcome: expected ok, error or aborted/);
    await expect(readAll([JSON.stringify({ ...record(), usage: { completionTokens: null } })])).rejects.toThrow(/usage\.completionTokens: expected number, got null/);
    expect((await readAll([good, '{"id":"0-1","lev'])).malformed).toBe(1);
  });
});
