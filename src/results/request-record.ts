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

/** Each table's names by the side they are read from: [camel → snake, snake → camel], built once. */
type Renames = readonly [Map<string, string>, Map<string, string>];
const renames = (table: KeyTable): Renames => [new Map(table.map(([c, s]) => [c, s])), new Map(table.map(([c, s]) => [s, c]))];
const RECORD = renames(RECORD_KEYS);
const ERROR = renames(ERROR_KEYS);
const USAGE = renames(USAGE_KEYS);

/** A copy with every known key renamed (from 0: camel → snake, 1: snake → camel); unknown keys kept as they are, `record_version` dropped. */
function rename(value: Record<string, unknown>, names: Renames, from: 0 | 1): Record<string, unknown> {
  const map = names[from];
  const out: Record<string, unknown> = {};
  for (const k in value) {
    const v = value[k];
    if (v !== undefined && k !== "record_version") out[map.get(k) ?? k] = v;
  }
  return out;
}

function nested(value: unknown, names: Renames, from: 0 | 1): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? rename(value as Record<string, unknown>, names, from) : value;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
/** Times rounded to the microsecond: smaller files, no lost precision that matters. */
const ROUNDED: ReadonlySet<string> = new Set(["scheduledMs", "sentMs", "headersMs", "firstTokenMs", "firstContentMs", "endMs"]);

/** The JSON object one requests.jsonl line holds for `record`: keys in RECORD_KEYS order, times to the microsecond. */
export function encodeRecord(record: WrittenRecord): Record<string, unknown> {
  const r = record as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { record_version: RECORD_VERSION };
  for (const [camel, snake] of RECORD_KEYS) {
    const v = r[camel];
    if (v === undefined) continue;
    if (ROUNDED.has(camel)) out[snake] = r3(v as number);
    else if (camel === "tokenChunkMs") out[snake] = (v as number[]).map(r3);
    else if (camel === "error") out[snake] = nested(v, ERROR, 0);
    else if (camel === "usage") out[snake] = nested(v, USAGE, 0);
    else out[snake] = v;
  }
  return out;
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
  const out = rename(value, RECORD, 1);
  if (out.error !== undefined) out.error = nested(out.error, ERROR, 1);
  if (out.usage !== undefined) out.usage = nested(out.usage, USAGE, 1);
  return out;
}

/** Parses one requests.jsonl line into a record (throws on text that is not JSON; the shape is the caller's to check). */
export function parseRecordLine(line: string): WrittenRecord {
  const value: unknown = JSON.parse(line);
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value as WrittenRecord;
  return decodeRecord(value as Record<string, unknown>) as unknown as WrittenRecord;
}
