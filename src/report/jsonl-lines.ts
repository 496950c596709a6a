// Owns streaming a JSONL file one line at a time with bounded memory: a manual '\n' splitter
// over 1 MiB reads (faster than readline), handing out byte ranges so hot readers can skip
// building strings. Malformed lines, such as the torn last line of a killed run, are counted
// and skipped, never fatal.

import { createReadStream } from "node:fs";

export interface JsonlStats {
  lines: number;
  malformed: number;
}

/** A byte range of a file: [start, end). Split points must sit just after a newline. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Calls `onLine` with each non-empty line as a byte range of `buf` (valid only during the call). */
export async function forEachLine(path: string, onLine: (buf: Buffer, start: number, end: number) => void, range?: ByteRange): Promise<number> {
  let lines = 0;
  let carry: Buffer | null = null;
  const handle = (buf: Buffer, start: number, end: number): void => {
    let s = start;
    let e = end;
    while (s < e && (buf[s] === 32 || buf[s] === 9 || buf[s] === 13)) s++;
    while (e > s && (buf[e - 1] === 32 || buf[e - 1] === 9 || buf[e - 1] === 13)) e--;
    if (e <= s) return;
    lines++;
    onLine(buf, s, e);
  };
  const bounds = range === undefined ? {} : { start: range.start, end: range.end - 1 };
  if (range !== undefined && range.end <= range.start) return 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, ...bounds })) {
    let buf = chunk as Buffer;
    let start = 0;
    if (carry !== null) {
      // Join only the torn line, not the whole chunk: copying every chunk costs a full pass.
      const nl = buf.indexOf(10);
      if (nl === -1) {
        carry = Buffer.concat([carry, buf]);
        continue;
      }
      const joined = Buffer.concat([carry, buf.subarray(0, nl)]);
      carry = null;
      handle(joined, 0, joined.length);
      start = nl + 1;
    }
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      handle(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) carry = Buffer.from(buf.subarray(start));
  }
  if (carry !== null) handle(carry, 0, carry.length);
  return lines;
}

/**
 * Calls `onValue` with each line's parsed JSON, in file order.
 * @example await forEachJsonLine("run/metrics.jsonl", (scrape) => count++)
 */
export async function forEachJsonLine(path: string, onValue: (value: unknown) => void): Promise<JsonlStats> {
  let malformed = 0;
  const lines = await forEachLine(path, (buf, start, end) => {
    let value: unknown;
    try {
      value = JSON.parse(buf.toString("utf8", start, end)) as unknown;
    } catch {
      malformed++;
      return;
    }
    onValue(value);
  });
  return { lines, malformed };
}
