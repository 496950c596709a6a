// Owns reading requests.jsonl fast enough for million-request runs: the tokenChunkMs array,
// most of each line's bytes, is parsed straight from the bytes (exactly as JSON.parse would:
// digits / 10^k is one correctly rounded operation); the rest of the line goes to JSON.parse.
// Anything unexpected falls back to JSON.parse of the whole line.

import type { RequestRecord } from "../client/record.js";
import { forEachLine, type ByteRange, type JsonlStats } from "./jsonl-lines.js";

const KEY = Buffer.from('"tokenChunkMs":[');
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
  const k = buf.indexOf(KEY, start);
  if (k === -1 || k >= end || escapedAt(buf, k, start)) return JSON.parse(buf.toString("utf8", start, end));
  const chunks: number[] = [];
  const after = parseNumberArray(buf, k + KEY.length, end, chunks);
  if (after === -1) return JSON.parse(buf.toString("utf8", start, end));
  const rest = JSON.parse(`${buf.toString("utf8", start, k)}"tokenChunkMs":[]${buf.toString("utf8", after, end)}`) as { tokenChunkMs?: unknown };
  rest.tokenChunkMs = chunks;
  return rest;
}

function isRecord(value: unknown): value is RequestRecord {
  const r = value as Partial<RequestRecord> | null;
  return !!r && typeof r === "object" && typeof r.level === "number" && typeof r.scheduledMs === "number" && typeof r.endMs === "number" && Array.isArray(r.tokenChunkMs);
}

/**
 * Streams every well-formed record of a requests.jsonl; malformed lines are counted.
 * @example await forEachRequestRecord("run/requests.jsonl", (r) => total += r.tokenChunkMs.length)
 */
export async function forEachRequestRecord(path: string, onRecord: (record: RequestRecord) => void, range?: ByteRange): Promise<JsonlStats> {
  let malformed = 0;
  const lines = await forEachLine(path, (buf, start, end) => {
    let value: unknown;
    try {
      value = fastParse(buf, start, end);
    } catch {
      malformed++;
      return;
    }
    if (isRecord(value)) onRecord(value);
    else malformed++;
  }, range);
  return { lines, malformed };
}
