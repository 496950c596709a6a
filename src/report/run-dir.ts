// Owns the run directory on disk: config.json, requests.jsonl (appended as each request
// completes, so a crash or kill -9 keeps every finished record), and the summary files,
// which are written to a temporary name and renamed so a reader never sees half a file.

import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RequestRecord } from "../client/record.js";
import { redactJson, redactText } from "../config/redact.js";
import { BenchError } from "../errors.js";
import { encodeRecordLine } from "../results/request-record.js";
import { renderCsv } from "./csv.js";
import { renderMarkdown } from "./markdown.js";
import type { RunSummary } from "../results/run-summary.js";

/** Writes `content` to a temporary name, then renames it (a reader never sees half a file). */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** writeFileAtomic for files people read and share (config, env, summaries): secrets redacted first. */
export function writeFileRedacted(path: string, content: string): void {
  writeFileAtomic(path, redactText(content));
}

/** Files that make a directory a run's: writing a second run into it would mix the two. */
const RUN_FILES = ["requests.jsonl", "summary.json", "config.json"];

export interface RunDirectoryOptions {
  /** Continue the run already in the directory (run --resume): its files are kept and appended to. */
  resume?: boolean;
}

/** Throws E_BAD_FLAG when `path` already holds a run; call it before anything is started. */
export function assertNoRunIn(path: string): void {
  const existing = RUN_FILES.find((name) => existsSync(join(path, name)));
  if (existing === undefined) return;
  throw new BenchError(
    "E_BAD_FLAG",
    `--out ${path} already holds a run (${existing}): choose another --out, or continue that run with servebench run --resume ${path}`,
    { where: "--out" },
  );
}

export class RunDirectory {
  readonly path: string;
  private requestsFd: number | undefined;
  /** True when this instance made the directory (so discardIfEmpty may remove it). */
  private readonly created: boolean;
  private recordsWritten = 0;

  constructor(path: string, options: RunDirectoryOptions = {}) {
    this.path = path;
    if (options.resume !== true) assertNoRunIn(path);
    this.created = !existsSync(path);
    try {
      mkdirSync(path, { recursive: true });
      this.requestsFd = openSync(join(path, "requests.jsonl"), "a");
    } catch (cause) {
      throw new BenchError("E_IO", `--out: cannot write results to ${path}: ${(cause as Error).message}`, { where: "--out", cause });
    }
  }

  /** Records appended by this instance. */
  get records(): number {
    return this.recordsWritten;
  }

  /**
   * A run that failed before its first request leaves nothing behind: closes the directory and,
   * when this instance created it and wrote no record, removes it. Returns true if removed.
   */
  discardIfEmpty(): boolean {
    this.close();
    if (!this.created || this.recordsWritten > 0) return false;
    rmSync(this.path, { recursive: true, force: true });
    return true;
  }

  writeJson(name: string, value: unknown): void {
    writeFileRedacted(join(this.path, name), `${JSON.stringify(redactJson(value), null, 2)}\n`);
  }

  /** Appends one record (stored form: src/results/request-record.ts); the write reaches the OS before this returns (survives a process kill). */
  appendRecord(record: RequestRecord): void {
    if (this.requestsFd === undefined) return;
    writeSync(this.requestsFd, encodeRecordLine(record));
    this.recordsWritten++;
  }

  writeSummary(summary: RunSummary): void {
    this.writeJson("summary.json", summary);
    writeFileRedacted(join(this.path, "summary.csv"), renderCsv(summary));
    writeFileRedacted(join(this.path, "summary.md"), renderMarkdown(summary));
  }

  close(): void {
    if (this.requestsFd !== undefined) closeSync(this.requestsFd);
    this.requestsFd = undefined;
  }
}
