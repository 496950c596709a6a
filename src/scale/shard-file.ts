// Owns shard.json: what makes a run directory a shard of a larger run (its index, the common
// start instant, the expected request counts per level, its clock estimates) and reading it back
// with errors that name the shard directory.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseWithSchema } from "../config/read-schema.js";
import { BenchError } from "../errors.js";
import type { ClockOffset } from "./clock-offset.js";
import type { NtpStatus } from "./clock-probe.js";
import type { LevelStart } from "./level-align.js";

export const SHARD_SCHEMA = "servebench.shard/v1";

/** A level as one shard ran it; how it started (LevelStart) is absent in files of older versions. */
export interface ShardLevel extends Partial<LevelStart> {
  level: number;
  /** Measured requests this shard was to send (null when only a duration bounded the level). */
  expected_requests: number | null;
  expected_warmup: number;
}

export interface ShardInfo {
  schema: typeof SHARD_SCHEMA;
  index: number;
  count: number;
  /** The common wall-clock instant every shard started at; record times are ms since it. */
  start_at_epoch_ms: number;
  /** How late this shard reached start_at (0 when it waited for it); levels[].late_by_ms for each level. */
  late_by_ms: number;
  status: "complete" | "interrupted" | "failed";
  error?: string;
  host: string;
  /** Identifies the run: every shard of one run has the same value. */
  run_key: string;
  levels: ShardLevel[];
  clock: { server?: ClockOffset; ntp?: NtpStatus };
  /** Worker threads inside this shard (1 = in-process). */
  workers: number;
}

export function shardPath(dir: string): string {
  return join(dir, "shard.json");
}

const count = z.number().int().nonnegative();
/** shard.json as read back by merge: the fields merging computes with (extra fields kept). */
const shardInfoSchema = z.looseObject({
  schema: z.literal(SHARD_SCHEMA),
  index: count,
  count: z.number().int().positive(),
  start_at_epoch_ms: z.number(),
  late_by_ms: z.number(),
  status: z.enum(["complete", "interrupted", "failed"]),
  error: z.string().optional(),
  host: z.string(),
  run_key: z.string(),
  levels: z.array(z.looseObject({ level: count, expected_requests: count.nullable(), expected_warmup: count })),
  // Absent in files of older versions: not required.
  clock: z.looseObject({}).optional(),
  workers: z.number().int().positive().optional(),
});

/** Reads a shard directory's shard.json, or explains exactly what is missing. */
export function readShardInfo(dir: string): ShardInfo {
  const path = shardPath(dir);
  if (!existsSync(dir)) throw new BenchError("E_SHARD", `${dir}: shard directory does not exist`, { where: dir });
  if (!existsSync(path)) {
    const partial = existsSync(join(dir, "requests.jsonl")) ? " (requests.jsonl exists: the shard started but never finished)" : "";
    throw new BenchError("E_SHARD", `${dir}: no shard.json${partial}`, { where: path });
  }
  let info: ShardInfo;
  try {
    info = JSON.parse(readFileSync(path, "utf8")) as ShardInfo;
  } catch (cause) {
    throw new BenchError("E_SHARD", `${path}: not readable JSON: ${(cause as Error).message}`, { where: path, cause });
  }
  if (info.schema !== SHARD_SCHEMA) throw new BenchError("E_SHARD", `${path}: not a servebench shard file (schema ${String(info.schema)})`, { where: path });
  return parseWithSchema(shardInfoSchema, info, path) as ShardInfo;
}
