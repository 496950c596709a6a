// Owns one server instance's log file (OUT/servers/<instance>/server.log): the server writes to
// it directly (so it survives us), and each cell gets the part written during that cell, plus the
// last lines when the cell fails.

import { closeSync, copyFileSync, fstatSync, openSync, readSync, writeFileSync } from "node:fs";

export class ServerLog {
  private offset: number;

  constructor(readonly path: string) {
    const fd = openSync(path, "a");
    this.offset = fstatSync(fd).size;
    closeSync(fd);
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
      writeFileSync(dest, buffer);
      this.offset = size;
    } finally {
      closeSync(fd);
    }
  }

  /** The whole file (for a server that failed to start). */
  copyAll(dest: string): void {
    copyFileSync(this.path, dest);
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
    const all = buffer.toString("utf8").split("\n");
    if (all.at(-1) === "") all.pop();
    return all.slice(-lines);
  } finally {
    closeSync(fd);
  }
}
