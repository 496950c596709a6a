// Owns how a RequestRecord is stored in requests.jsonl: snake_case keys with units in names and a
// `record_version` on every line, and reading back both that and the camelCase lines of runs made
// before version 2 (report, compare, merge and resume of an old run directory keep working).

import type { RequestRecord } from "../client/record.js";

/** Version 1: camelCase keys, no version field. Version 2: snake_case keys and `record_version`. */
export const RECORD_VERSION = 2;

/** A record as the run writes it: multi-turn sessions add the turn. */
export type WrittenRecord = RequestRecord & { turn?: number };

type KeyTable = ReadonlyArray<readonly [camel: string, snake: string]>;

/** Every stored field, in the order lines are written. */
const RECORD_KEYS: KeyTable = [
  ["id", "id"],
  ["level", "level"],
  ["index", "index"],
  ["warmup", "warmup"],
  ["turn", "turn"],
  ["scheduledMs", "scheduled_ms"],
  ["sentMs", "sent_ms"],
  ["headersMs", "headers_ms"],
  ["firstTokenMs", "first_token_ms"],
  ["firstContentMs", "first_content_ms"],
  ["endMs", "end_ms"],
  ["outcome", "outcome"],
  ["error", "error"],
  ["finishReason", "finish_reason"],
  ["responseId", "response_id"],
  ["usage", "usage"],
  ["targetInputTokens", "target_input_tokens"],
  ["targetOutputTokens", "target_output_tokens"],
  ["outputChars", "output_chars"],
  ["clientOutputTokens", "client_output_tokens"],
  ["usageImpossible", "usage_impossible"],
  ["clientRetry", "client_retry"],
  ["cancelled", "cancelled"],
  // Last: the bulk of a line, which the fast reader scans straight from the bytes.
  ["tokenChunkMs", "token_chunk_ms"],
];
const ERROR_KEYS: KeyTable = [
  ["code", "code"],
  ["httpStatus", "http_status"],
  ["message", "message"],
];
const USAGE_KEYS: KeyTable = [
  ["promptTokens", "prompt_tokens"],
  ["completionTokens", "completion_tokens"],
  ["reasoningTokens", "reasoning_tokens"],
  ["cachedPromptTokens", "cached_prompt_tokens"],
];

/** The stored names of the record's fields, for messages and the schema test. */
export const STORED_RECORD_KEYS: readonly string[] = ["record_version", ...RECORD_KEYS.map(([, s]) => s)];
/** The stored name of a camelCase field path (`usage.promptTokens` → `usage.prompt_tokens`). */
export function storedFieldName(camelPath: string): string {
  const [head = "", ...rest] = camelPath.split(".");
  const top = RECORD_KEYS.find(([c]) => c === head)?.[1] ?? head;
  if (rest.length === 0) return top;
  const nested = head === "error" ? ERROR_KEYS : head === "usage" ? USAGE_KEYS : [];
  const sub = rest.join(".");
  return `${top}.${nested.find(([c]) => c === sub)?.[1] ?? sub}`;
}

function rename(value: Record<string, unknown>, table: KeyTable, from: 0 | 1, keepUnknown: boolean): Record<string, unknown> {
  const to = from === 0 ? 1 : 0;
  const out: Record<string, unknown> = {};
  for (const row of table) {
    const v = value[row[from]];
    if (v !== undefined) out[row[to]] = v;
  }
  if (keepUnknown) {
    const known = new Set(table.map((row) => row[from]));
    for (const [k, v] of Object.entries(value)) if (!known.has(k) && k !== "record_version" && v !== undefined) out[k] = v;
  }
  return out;
}

function nested(value: unknown, table: KeyTable, from: 0 | 1): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? rename(value as Record<string, unknown>, table, from, true) : value;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The JSON object one requests.jsonl line holds for `record` (times rounded to the microsecond). */
export function encodeRecord(record: WrittenRecord): Record<string, unknown> {
  const rounded: WrittenRecord = { ...record, scheduledMs: r3(record.scheduledMs), sentMs: r3(record.sentMs), endMs: r3(record.endMs), tokenChunkMs: record.tokenChunkMs.map(r3) };
  if (record.headersMs !== undefined) rounded.headersMs = r3(record.headersMs);
  if (record.firstTokenMs !== undefined) rounded.firstTokenMs = r3(record.firstTokenMs);
  if (record.firstContentMs !== undefined) rounded.firstContentMs = r3(record.firstContentMs);
  const out = rename(rounded as unknown as Record<string, unknown>, RECORD_KEYS, 0, false);
  if (out.error !== undefined) out.error = nested(out.error, ERROR_KEYS, 0);
  if (out.usage !== undefined) out.usage = nested(out.usage, USAGE_KEYS, 0);
  return { record_version: RECORD_VERSION, ...out };
}

/** One requests.jsonl line (with its newline) for `record`. */
export function encodeRecordLine(record: WrittenRecord): string {
  return `${JSON.stringify(encodeRecord(record))}\n`;
}

/** True when a parsed line uses the stored (version 2) names. */
export function isStoredForm(value: Record<string, unknown>): boolean {
  return value.record_version !== undefined || value.scheduled_ms !== undefined || value.token_chunk_ms !== undefined;
}

/**
 * A parsed line in the in-memory (camelCase) shape, whichever version wrote it. The shape is not
 * checked here: record-reader.ts checks it, naming the field as the file spells it.
 */
export function decodeRecord(value: Record<string, unknown>): Record<string, unknown> {
  if (!isStoredForm(value)) return value;
  const out = rename(value, RECORD_KEYS, 1, true);
  if (out.error !== undefined) out.error = nested(out.error, ERROR_KEYS, 1);
  if (out.usage !== undefined) out.usage = nested(out.usage, USAGE_KEYS, 1);
  return out;
}

/** Parses one requests.jsonl line into a record (throws on text that is not JSON; the shape is the caller's to check). */
export function parseRecordLine(line: string): WrittenRecord {
  const value: unknown = JSON.parse(line);
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value as WrittenRecord;
  return decodeRecord(value as Record<string, unknown>) as unknown as WrittenRecord;
}
