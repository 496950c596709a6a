// Owns one pass over a shard's requests.jsonl that hands each parsed record to the caller and,
// given an output file, copies its whole lines there unchanged (raw records are never rewritten).

import { createReadStream, writeSync } from "node:fs";
import type { RequestRecord } from "../client/record.js";

export interface CopyStats {
  lines: number;
  malformed: number;
  bytes: number;
  /** The file did not end with a newline (a shard killed mid-write). */
  tornTail?: boolean;
}

/** Calls onRecord per line of `path` (and copies whole lines into `outFd` when given); a torn last line is counted, not copied. */
export async function copyAndParse(path: string, outFd: number | undefined, onRecord: (r: RequestRecord) => void): Promise<CopyStats> {
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
      value = JSON.parse(buf.toString("utf8", start, end)) as RequestRecord;
    } catch {
      stats.malformed++;
      return false;
    }
    onRecord(value);
    return true;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    let buf = chunk as Buffer;
    if (carry !== null) {
      buf = Buffer.concat([carry, buf]);
      carry = null;
    }
    let start = 0;
    let copyFrom = 0;
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
