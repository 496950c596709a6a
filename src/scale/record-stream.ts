// Owns one pass over a shard's requests.jsonl that hands each parsed record to the caller and,
// given an output file, copies its whole lines there unchanged (raw records are never rewritten:
// a merge of shards written by different versions holds lines of each, and readers take both).

import { createReadStream, writeSync } from "node:fs";
import type { RequestRecord } from "../client/record.js";
import { parseRecordLine } from "../results/request-record.js";

export interface CopyStats {
  lines: number;
  malformed: number;
  bytes: number;
  /** The file did not end with a newline (a shard killed mid-write). */
  tornTail?: boolean;
}

/** Calls onRecord per line of `path` (and copies whole lines into `outFd` when given); a torn last line is counted, not copied. */
export async function copyAndParse(path: string, outFd: number | undefined, onRecord: (r: RequestRecord) => void, chunkBytes = 1 << 20): Promise<CopyStats> {
  const stats: CopyStats = { lines: 0, malformed: 0, bytes: 0 };
  const write = (data: Buffer | string, offset = 0, length?: number): number => {
    if (outFd === undefined) return typeof data === "string" ? data.length : (length ?? data.length - offset);
    return typeof data === "string" ? writeSync(outFd, data) : writeSync(outFd, data, offset, length ?? data.length - offset);
  };
  let carry: Buffer | null = null;
  const line = (buf: Buffer, start: number, end: number): boolean => {
    if (end <= start) return false;
    stats.lines++;
    let value: RequestRecord;
    try {
      value = parseRecordLine(buf.toString("utf8", start, end));
    } catch {
      stats.malformed++;
      return false;
    }
    onRecord(value);
    return true;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes })) {
    const buf = chunk as Buffer;
    let start = 0;
    if (carry !== null) {
      // Only the line that straddles two chunks is joined: copying whole chunks costs a pass over the file.
      const nl = buf.indexOf(10);
      if (nl === -1) {
        carry = Buffer.concat([carry, buf]);
        continue;
      }
      const joined = Buffer.concat([carry, buf.subarray(0, nl + 1)]);
      carry = null;
      if (line(joined, 0, joined.length - 1)) stats.bytes += write(joined);
      start = nl + 1;
    }
    let copyFrom = start;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      if (!line(buf, start, nl)) {
        // Skip a malformed line in the copy too, so the merged file parses cleanly.
        stats.bytes += write(buf, copyFrom, start - copyFrom);
        copyFrom = nl + 1;
      }
      start = nl + 1;
    }
    stats.bytes += write(buf, copyFrom, start - copyFrom);
    if (start < buf.length) carry = buf.subarray(start);
  }
  if (carry !== null && carry.length > 0) {
    stats.tornTail = true;
    // A last line without '\n' (a killed shard): keep it only when it is a whole record.
    if (line(carry, 0, carry.length)) {
      stats.bytes += write(carry);
      stats.bytes += write("\n");
    }
  }
  return stats;
}
