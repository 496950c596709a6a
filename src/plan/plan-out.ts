// Owns the plan's results directory: OUT/plan.json, OUT/plan.source.*, OUT/cells/<id>/ (each with
// cell.json, the run's files and server.log), OUT/servers/ (whole server logs) and OUT/pids.json.
// A cell runs in cells/<id>.partial/ and becomes cells/<id>/ only once fsynced: a directory without
// cell.json, or named *.partial, is never a finished cell.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseWithSchema } from "../config/read-schema.js";
import { redactJson, redactText } from "../config/redact.js";
import { BenchError } from "../errors.js";
import { commitDirectory, writeFileDurable } from "./durable-fs.js";
import type { Scalar } from "./plan-schema.js";

export const CELL_SCHEMA = "servebench.cell/v1";

export interface CellRecord {
  schema: typeof CELL_SCHEMA;
  id: string;
  /** Position in the plan (0-based). */
  index: number;
  dimensions: Record<string, Scalar>;
  /** 1-based repeat index (not a dimension: repeats of one cell are compared together). */
  repeat: number;
  status: "complete" | "failed";
  reason?: string;
  started_at: string;
  finished_at: string;
  /** Last lines of the server log when the cell failed. */
  log_tail?: string[];
  /** Earlier failed attempts of this cell (from runs before a --resume). */
  previous_attempts?: Array<{ reason?: string; started_at: string; finished_at: string }>;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const attempt = z.looseObject({ reason: z.string().optional(), started_at: z.string(), finished_at: z.string() });
/** cells/<id>/cell.json as read back (resume, cells.csv). */
export const cellRecordSchema = z.looseObject({
  schema: z.literal(CELL_SCHEMA),
  id: z.string(),
  index: z.number().int().nonnegative(),
  dimensions: z.record(z.string(), scalar),
  repeat: z.number().int().positive(),
  status: z.enum(["complete", "failed"]),
  reason: z.string().optional(),
  started_at: z.string(),
  finished_at: z.string(),
  log_tail: z.array(z.string()).optional(),
  previous_attempts: z.array(attempt).optional(),
});

/** Reads cell.json: undefined when absent or not JSON (a torn write); a schema mismatch is an error naming the field. */
export function readCellRecord(path: string): CellRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
  return parseWithSchema(cellRecordSchema, raw, path) as CellRecord;
}

export class PlanOut {
  readonly cellsDir: string;
  readonly serversDir: string;

  constructor(readonly root: string) {
    this.cellsDir = join(root, "cells");
    this.serversDir = join(root, "servers");
    try {
      mkdirSync(this.cellsDir, { recursive: true });
      mkdirSync(this.serversDir, { recursive: true });
    } catch (cause) {
      throw new BenchError("E_IO", `--out: cannot write results to ${root}: ${(cause as Error).message}`, { where: "--out", cause });
    }
  }

  get pidsPath(): string {
    return join(this.root, "pids.json");
  }

  hasPlan(): boolean {
    return existsSync(join(this.root, "plan.json"));
  }

  cellDir(id: string): string {
    return join(this.cellsDir, id);
  }

  partialDir(id: string): string {
    return join(this.cellsDir, `${id}.partial`);
  }

  readCell(id: string): CellRecord | undefined {
    return readCellRecord(join(this.cellDir(id), "cell.json"));
  }

  isComplete(id: string): boolean {
    return this.readCell(id)?.status === "complete";
  }

  /** A fresh, empty cells/<id>.partial/ to run the cell in. */
  startCell(id: string): string {
    const dir = this.partialDir(id);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Writes cell.json, fsyncs the cell's files and renames cells/<id>.partial/ to cells/<id>/. */
  commitCell(record: CellRecord): void {
    const earlier = this.readCell(record.id);
    if (earlier !== undefined && earlier.status === "failed") {
      const attempt = { started_at: earlier.started_at, finished_at: earlier.finished_at, ...(earlier.reason === undefined ? {} : { reason: earlier.reason }) };
      record.previous_attempts = [...(earlier.previous_attempts ?? []), attempt];
    }
    const dir = this.partialDir(record.id);
    writeFileDurable(join(dir, "cell.json"), `${JSON.stringify(redactJson(record), null, 2)}\n`);
    commitDirectory(dir, this.cellDir(record.id));
  }

  /** Removes leftovers of cells that were in flight when a run stopped. */
  removePartials(): string[] {
    const removed = readdirSync(this.cellsDir).filter((name) => name.endsWith(".partial"));
    for (const name of removed) rmSync(join(this.cellsDir, name), { recursive: true, force: true });
    return removed.map((name) => name.replace(/\.partial$/, ""));
  }

  /** Every file here is redacted: a results directory is shared, it never holds a secret. */
  writeJson(name: string, value: unknown): void {
    writeFileDurable(join(this.root, name), `${JSON.stringify(redactJson(value), null, 2)}\n`);
  }

  /** Writes `text` redacted; returns false when redaction changed it (a secret was written literally). */
  writeText(name: string, text: string): boolean {
    const redacted = redactText(text);
    writeFileDurable(join(this.root, name), redacted);
    return redacted === text;
  }

  readText(name: string): string | undefined {
    try {
      return readFileSync(join(this.root, name), "utf8");
    } catch {
      return undefined;
    }
  }
}
