// The stored record: every field round-trips through snake_case, the stored names match the
// published schema, and files of both versions (and a merge of the two) read back the same.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RequestRecord } from "../client/record.js";
import { forEachRequestRecord } from "../report/record-reader.js";
import { requestRecordSchema } from "./record-schema.js";
import { decodeRecord, encodeRecord, encodeRecordLine, parseRecordLine, RECORD_VERSION, STORED_RECORD_KEYS, storedFieldName, type WrittenRecord } from "./request-record.js";

/** Every field set, so a field the codec forgets shows up as a difference. */
const full: WrittenRecord = {
  id: "2-7",
  level: 2,
  index: 7,
  warmup: false,
  turn: 1,
  scheduledMs: 10.0004,
  sentMs: 10.25,
  headersMs: 11.5,
  firstTokenMs: 20.125,
  firstContentMs: 30.5,
  endMs: 99.75,
  tokenChunkMs: [20.125, 30.5, 41.0001],
  outcome: "error",
  error: { code: "http_500", httpStatus: 500, message: "boom" },
  finishReason: "length",
  responseId: "cmpl-1",
  usage: { promptTokens: 64, completionTokens: 3, reasoningTokens: 1, cachedPromptTokens: 48 },
  targetInputTokens: 64,
  targetOutputTokens: 3,
  outputChars: 12,
  clientOutputTokens: 3,
  usageImpossible: "no",
  clientRetry: "other side closed",
  cancelled: "after 3 tokens",
};

async function readFile(lines: string[]): Promise<RequestRecord[]> {
  const path = join(mkdtempSync(join(tmpdir(), "sb-codec-")), "requests.jsonl");
  writeFileSync(path, lines.join(""));
  const out: RequestRecord[] = [];
  await forEachRequestRecord(path, (r) => out.push(r));
  return out;
}

describe("stored request records", () => {
  it("are snake_case with a version, and decode to the record they encode (times to the microsecond)", () => {
    const stored = encodeRecord(full);
    expect(stored.record_version).toBe(RECORD_VERSION);
    for (const key of Object.keys(stored)) expect(key, key).toMatch(/^[a-z0-9_]+$/);
    expect(stored).toMatchObject({ scheduled_ms: 10, usage: { prompt_tokens: 64, cached_prompt_tokens: 48 }, error: { http_status: 500 } });
    expect(decodeRecord(stored)).toEqual({ ...full, scheduledMs: 10, tokenChunkMs: [20.125, 30.5, 41] });
  });

  it("name exactly the fields of the published schema", () => {
    expect([...STORED_RECORD_KEYS].sort()).toEqual(Object.keys(requestRecordSchema.shape).sort());
    expect(requestRecordSchema.safeParse(encodeRecord(full)).error).toBeUndefined();
    expect(storedFieldName("usage.completionTokens")).toBe("usage.completion_tokens");
    expect(storedFieldName("tokenChunkMs")).toBe("token_chunk_ms");
  });

  it("read the same from a version 1 (camelCase) file, a version 2 file, and a merge holding both", async () => {
    const { error: _error, ...okRecord } = full;
    const records: WrittenRecord[] = [full, { ...okRecord, id: "2-8", index: 8, outcome: "ok", tokenChunkMs: [1.5, 2.25] }];
    const v1 = records.map((r) => `${JSON.stringify(decodeRecord(encodeRecord(r)))}\n`);
    const v2 = records.map((r) => encodeRecordLine(r));
    const expected = records.map((r) => decodeRecord(encodeRecord(r)));
    expect(await readFile(v1)).toEqual(expected);
    expect(await readFile(v2)).toEqual(expected);
    expect(await readFile([v1[0] ?? "", v2[1] ?? ""])).toEqual(expected);
    expect(parseRecordLine(v2[1] ?? "")).toEqual(expected[1]);
  });

  it("that are wrong are refused naming the field as the file spells it", async () => {
    const bad = { ...encodeRecord(full), end_ms: "late" };
    await expect(readFile([`${JSON.stringify(bad)}\n`])).rejects.toThrow(/requests\.jsonl:1: end_ms: expected number, got string "late"/);
    const badUsage = { ...encodeRecord(full), usage: { completion_tokens: null } };
    await expect(readFile([`${JSON.stringify(badUsage)}\n`])).rejects.toThrow(/usage\.completion_tokens: expected number, got null/);
  });
});
