// Owns reading requests.jsonl fast enough for million-request runs: the token_chunk_ms array,
// most of each line's bytes, is parsed straight from the bytes (exactly as JSON.parse would:
// digits / 10^k is one correctly rounded operation); the rest of the line goes to JSON.parse.
// Anything unexpected falls back to JSON.parse of the whole line.

import type { RequestRecord } from "../client/record.js";
import { BenchError } from "../errors.js";
import { decodeRecord, isStoredForm, storedFieldName } from "../results/request-record.js";
import { forEachLine, type ByteRange, type JsonlStats } from "./jsonl-lines.js";

/** The chunk-times key as version 2 lines spell it, then as version 1 lines did. */
const KEYS = ['"token_chunk_ms":[', '"tokenChunkMs":['].map((k) => Buffer.from(k));
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Parses `[n, n, ...]` numbers from buf[i..] up to `]`; returns the index after `]`, or -1. */
export function parseNumberArray(buf: Uint8Array, from: number, end: number, out: number[]): number {
  let i = from;
  while (i < end) {
    let c = buf[i] as number;
    if (c === 93) return i + 1; // ]
    if (c === 44 || c === 32) {
      i++;
      continue;
    }
    const negative = c === 45;
    if (negative) c = buf[++i] as number;
    let mantissa = 0;
    let digits = 0;
    let fraction = 0;
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      c = buf[++i] as number;
    }
    if (c === 46) {
      c = buf[++i] as number;
      while (c >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        fraction++;
        c = buf[++i] as number;
      }
    }
    // Exponents, empty or over-long numbers are left to JSON.parse (exactness first).
    if (digits === 0 || digits > 15 || c === 101 || c === 69) return -1;
    const v = fraction === 0 ? mantissa : mantissa / (POW10[fraction] as number);
    out.push(negative ? -v : v);
  }
  return -1;
}

function escapedAt(buf: Uint8Array, quote: number, start: number): boolean {
  let slashes = 0;
  for (let j = quote - 1; j >= start && buf[j] === 92; j--) slashes++;
  return slashes % 2 === 1;
}

function fastParse(buf: Buffer, start: number, end: number): unknown {
  for (const key of KEYS) {
    const k = buf.indexOf(key, start);
    if (k === -1 || k >= end) continue;
    if (escapedAt(buf, k, start)) break;
    const chunks: number[] = [];
    const after = parseNumberArray(buf, k + key.length, end, chunks);
    if (after === -1) break;
    const name = key.toString("utf8", 1, key.length - 3);
    const rest = JSON.parse(`${buf.toString("utf8", start, k)}"${name}":[]${buf.toString("utf8", after, end)}`) as Record<string, unknown>;
    rest[name] = chunks;
    return rest;
  }
  return JSON.parse(buf.toString("utf8", start, end));
}

const NUMBERS = ["level", "index", "scheduledMs", "sentMs", "endMs", "targetInputTokens", "outputChars"] as const;
const OPTIONAL_NUMBERS = ["headersMs", "firstTokenMs", "firstContentMs", "targetOutputTokens", "clientOutputTokens"] as const;
const OUTCOMES: ReadonlySet<unknown> = new Set(["ok", "error", "aborted"]);

/**
 * What is wrong with a parsed line as a RequestRecord (a field path and what it holds), or
 * undefined. Hand-written rather than zod: it runs once per request of million-request runs.
 */
export function recordProblem(value: unknown, name: (field: string) => string = (field) => field): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "expected a request record (an object)";
  const r = value as Record<string, unknown>;
  for (const k of NUMBERS) if (typeof r[k] !== "number") return `${name(k)}: expected number, got ${shown(r[k])}`;
  for (const k of OPTIONAL_NUMBERS) if (r[k] !== undefined && typeof r[k] !== "number") return `${name(k)}: expected number, got ${shown(r[k])}`;
  if (!OUTCOMES.has(r.outcome)) return `${name("outcome")}: expected ok, error or aborted, got ${shown(r.outcome)}`;
  if (typeof r.warmup !== "boolean") return `${name("warmup")}: expected boolean, got ${shown(r.warmup)}`;
  const chunks = r.tokenChunkMs;
  if (!Array.isArray(chunks)) return `${name("tokenChunkMs")}: expected a list of numbers, got ${shown(chunks)}`;
  for (let i = 0; i < chunks.length; i++) if (typeof chunks[i] !== "number") return `${name("tokenChunkMs")}[${i}]: expected number, got ${shown(chunks[i])}`;
  const error = r.error as Record<string, unknown> | undefined;
  if (error !== undefined && (error === null || typeof error !== "object" || typeof error.code !== "string" || typeof error.message !== "string")) {
    return "error: expected { code, message } strings";
  }
  const usage = r.usage as Record<string, unknown> | undefined;
  if (usage !== undefined) {
    if (usage === null || typeof usage !== "object") return "usage: expected an object";
    for (const k of ["promptTokens", "completionTokens", "reasoningTokens"]) if (usage[k] !== undefined && typeof usage[k] !== "number") return `${name(`usage.${k}`)}: expected number, got ${shown(usage[k])}`;
  }
  return undefined;
}

function shown(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}

/**
 * Streams every record of a requests.jsonl. Lines that are not JSON (the torn last line of a
 * killed run) are counted as malformed; a JSON line that is not a request record is an error
 * naming the file, the line and the field (E_BAD_FILE).
 * @example await forEachRequestRecord("run/requests.jsonl", (r) => total += r.tokenChunkMs.length)
 */
export async function forEachRequestRecord(path: string, onRecord: (record: RequestRecord) => void, range?: ByteRange): Promise<JsonlStats> {
  let malformed = 0;
  let line = 0;
  const lines = await forEachLine(path, (buf, start, end) => {
    line++;
    let value: unknown;
    try {
      value = fastParse(buf, start, end);
    } catch {
      malformed++;
      return;
    }
    const stored = value !== null && typeof value === "object" && !Array.isArray(value) && isStoredForm(value as Record<string, unknown>);
    if (stored) value = decodeRecord(value as Record<string, unknown>);
    const problem = recordProblem(value, stored ? storedFieldName : undefined);
    if (problem !== undefined) {
      const where = range === undefined || range.start === 0 ? `${path}:${line}` : `${path}: line ${line} after byte ${range.start}`;
      throw new BenchError("E_BAD_FILE", `${where}: ${problem}`, { where: path });
    }
    onRecord(value as RequestRecord);
  }, range);
  return { lines, malformed };
}
