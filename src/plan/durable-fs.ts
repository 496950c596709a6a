// Owns writes that must survive a crash or power loss: write to a temporary name, fsync, rename,
// fsync the directory; and making a whole directory durable before it is renamed into place.

import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

function fsyncPath(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeFileDurable(path: string, content: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncPath(dirname(path));
}

/** fsyncs every file under `dir` and the directories themselves. */
export function fsyncTree(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) fsyncTree(path);
    else fsyncPath(path);
  }
  fsyncPath(dir);
}

/** Makes `from` durable, then renames it to `to` (replacing an older `to`), then fsyncs the parent. */
export function commitDirectory(from: string, to: string): void {
  fsyncTree(from);
  rmSync(to, { recursive: true, force: true });
  renameSync(from, to);
  fsyncPath(dirname(to));
}
