// Owns the run directory on disk: config.json, requests.jsonl (appended as each request
// completes, so a crash or kill -9 keeps every finished record), and the summary files,
// which are written to a temporary name and renamed so a reader never sees half a file.

import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RequestRecord } from "../client/record.js";
import { redactJson, redactText } from "../config/redact.js";
import { BenchError } from "../errors.js";
import { renderCsv } from "./csv.js";
import { renderMarkdown } from "./markdown.js";
import type { RunSummary } from "./summary.js";

/** Rounds times to microseconds: smaller files, no lost precision that matters. */
function roundRecord(record: RequestRecord): RequestRecord {
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  const out: RequestRecord = { ...record, scheduledMs: r3(record.scheduledMs), sentMs: r3(record.sentMs), endMs: r3(record.endMs), tokenChunkMs: record.tokenChunkMs.map(r3) };
  if (record.headersMs !== undefined) out.headersMs = r3(record.headersMs);
  if (record.firstTokenMs !== undefined) out.firstTokenMs = r3(record.firstTokenMs);
  if (record.firstContentMs !== undefined) out.firstContentMs = r3(record.firstContentMs);
  return out;
}

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

export class RunDirectory {
  readonly path: string;
  private requestsFd: number | undefined;

  constructor(path: string) {
    this.path = path;
    try {
      mkdirSync(path, { recursive: true });
      this.requestsFd = openSync(join(path, "requests.jsonl"), "a");
    } catch (cause) {
      throw new BenchError("E_IO", `--out: cannot write results to ${path}: ${(cause as Error).message}`, { where: "--out", cause });
    }
  }

  writeJson(name: string, value: unknown): void {
    writeFileRedacted(join(this.path, name), `${JSON.stringify(redactJson(value), null, 2)}\n`);
  }

  /** Appends one record; the write reaches the OS before this returns (survives a process kill). */
  appendRecord(record: RequestRecord): void {
    if (this.requestsFd === undefined) return;
    writeSync(this.requestsFd, `${JSON.stringify(roundRecord(record))}\n`);
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
