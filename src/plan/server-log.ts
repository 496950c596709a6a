// Owns one server instance's log file (OUT/servers/<instance>/server.log): the server writes to
// it directly (so it survives us), and each cell gets the part written during that cell, plus the
// last lines when the cell fails. A server may log its own arguments (vLLM prints them, API key
// included): every copy servebench makes is redacted, the raw file is owner-only while the server
// runs and redacted in place once it has stopped.

import { chmodSync, closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { redactText } from "../config/redact.js";

const SCRUB_CHUNK_BYTES = 4 * 1024 * 1024;

export class ServerLog {
  private offset: number;

  constructor(readonly path: string) {
    const fd = openSync(path, "a", 0o600);
    this.offset = fstatSync(fd).size;
    closeSync(fd);
    chmodSync(path, 0o600);
  }

  /** A file descriptor for the child's stdout and stderr; close it after spawning. */
  openForChild(): number {
    return openSync(this.path, "a");
  }

  /** Copies what was written since the last call into `dest`. */
  collect(dest: string): void {
    const fd = openSync(this.path, "r");
    try {
      const size = fstatSync(fd).size;
      const length = Math.max(0, size - this.offset);
      const buffer = Buffer.alloc(length);
      if (length > 0) readSync(fd, buffer, 0, length, this.offset);
      writeFileSync(dest, redactText(buffer.toString("utf8")));
      this.offset = size;
    } finally {
      closeSync(fd);
    }
  }

  /** The whole file (for a server that failed to start). */
  copyAll(dest: string): void {
    writeFileSync(dest, redactText(readFileSync(this.path, "utf8")));
  }

  /** Redacts the file in place, a few MiB of whole lines at a time; for when the server has stopped writing to it. */
  scrub(): void {
    const tmp = `${this.path}.scrub`;
    const input = openSync(this.path, "r");
    const output = openSync(tmp, "w", 0o600);
    let changed = false;
    try {
      const chunk = Buffer.alloc(SCRUB_CHUNK_BYTES);
      const decoder = new StringDecoder("utf8"); // a character split between two reads stays whole
      let carry = "";
      for (let position = 0; ;) {
        const read = readSync(input, chunk, 0, chunk.length, position);
        position += read;
        const text = carry + (read === 0 ? decoder.end() : decoder.write(chunk.subarray(0, read)));
        // Whole lines only (a secret never spans two), except at the end or in a line longer than a chunk.
        const cut = read === 0 ? text.length : text.lastIndexOf("\n") + 1 || text.length;
        const redacted = redactText(text.slice(0, cut));
        changed ||= redacted.length !== cut || redacted !== text.slice(0, cut);
        writeSync(output, redacted);
        carry = text.slice(cut);
        if (read === 0) break;
      }
    } finally {
      closeSync(input);
      closeSync(output);
    }
    if (changed) renameSync(tmp, this.path);
    else rmSync(tmp, { force: true });
  }

  tail(lines: number): string[] {
    return tailLines(this.path, lines);
  }
}

/** Last `lines` lines of a file, reading at most its last 256 KiB. */
export function tailLines(path: string, lines: number): string[] {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 256 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const all = redactText(buffer.toString("utf8")).split("\n");
    if (all.at(-1) === "") all.pop();
    return all.slice(-lines);
  } finally {
    closeSync(fd);
  }
}
