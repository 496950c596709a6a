// Owns resuming an interrupted run directory: which levels finished, which records to keep.
// Finished levels are kept as they are; records of the level that was cut short move to
// requests.partial-<level>.jsonl (kept, never deleted) and that level runs again from the
// start, so its throughput is never computed across the gap of an interruption.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BenchError } from "../errors.js";
import { z } from "zod";
import { REDACTED } from "../config/redact.js";
import { parseWithSchema } from "../config/read-schema.js";
import { runConfigSchema, type RunConfigInput } from "../config/run-config.js";
import type { LevelSummary } from "../metrics/level.js";
import { writeFileAtomic } from "../report/run-dir.js";
import { parseSummary } from "../results/summary-schema.js";
import type { RunSummary } from "../results/run-summary.js";

export interface ResumeState {
  /** The original run's configuration (as config.json recorded it). */
  config: RunConfigInput;
  /** Level summaries that completed without interruption, by level index. */
  finished: Map<number, LevelSummary>;
  /** The original summary's run info (start time etc.), when one was written. */
  summary: RunSummary | undefined;
  /** Records of unfinished levels set aside: their prompts were sent, so the rerun skips them. */
  setAside: number;
  /** What the resume did not take from the directory (printed by the CLI). */
  warnings: string[];
}

/** Values a resume takes from the command line instead of config.json (which holds them redacted, or must not run them). */
export interface ResumeOverrides {
  url?: string;
  metricsUrl?: string;
  gpuInfoCmd?: string;
}

const OVERRIDE_FLAGS = { url: "--url", metricsUrl: "--metrics-url", gpuInfoCmd: "--gpu-info-cmd" } as const;

/** Fields config.json carries that are outputs of the run, not inputs to it. */
const DERIVED_FIELDS = ["target", "embedded_simulator"] as const;

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new BenchError("E_IO", `--resume: cannot read ${what} ${path}: ${(cause as Error).message}`, { where: "--resume", cause });
  }
}

/**
 * Reads DIR and prepares it for the rest of the run: afterwards requests.jsonl holds only the
 * records of finished levels.
 */
export function prepareResume(dir: string, overrides: ResumeOverrides = {}): ResumeState {
  const configPath = join(dir, "config.json");
  if (!existsSync(configPath)) {
    throw new BenchError("E_IO", `--resume: ${dir} has no config.json; is it a servebench run directory?`, { where: "--resume" });
  }
  const raw = parseWithSchema(z.record(z.string(), z.unknown()), readJson(configPath, "config"), configPath);
  for (const field of DERIVED_FIELDS) delete raw[field];
  const warnings: string[] = [];
  // A results directory is data: a command stored in it is never run, and a redacted value is never sent.
  if (typeof raw.gpuInfoCmd === "string" && overrides.gpuInfoCmd === undefined) {
    warnings.push(`${configPath}: gpuInfoCmd is not run on resume (pass --gpu-info-cmd again to record GPU facts)`);
  }
  delete raw.gpuInfoCmd;
  for (const [field, flag] of Object.entries(OVERRIDE_FLAGS) as Array<[keyof ResumeOverrides, string]>) {
    const given = overrides[field];
    if (given !== undefined) raw[field] = given;
    else if (typeof raw[field] === "string" && raw[field].includes(REDACTED)) {
      throw new BenchError("E_BAD_CONFIG", `--resume: ${configPath}: ${field} was recorded redacted (it held a secret): pass it again with ${flag}`, {
        where: flag,
      });
    }
  }
  parseWithSchema(runConfigSchema, { ...raw, out: dir }, configPath);
  const summaryPath = join(dir, "summary.json");
  const summary = existsSync(summaryPath) ? parseSummary(readJson(summaryPath, "summary"), summaryPath) : undefined;
  const finished = new Map<number, LevelSummary>();
  for (const level of summary?.levels ?? []) if (!level.interrupted) finished.set(level.level, level);
  const setAside = splitRecords(dir, finished);
  return { config: { ...raw, out: dir } as RunConfigInput, finished, summary, setAside, warnings };
}

function splitRecords(dir: string, finished: ReadonlyMap<number, LevelSummary>): number {
  const path = join(dir, "requests.jsonl");
  if (!existsSync(path)) return 0;
  const keep: string[] = [];
  const partial = new Map<number, string[]>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    let level: number;
    try {
      level = (JSON.parse(line) as { level: number }).level;
    } catch {
      // A torn last line from a kill -9 mid-write: nothing to keep.
      continue;
    }
    if (finished.has(level)) keep.push(line);
    else partial.set(level, [...(partial.get(level) ?? []), line]);
  }
  for (const [level, lines] of partial) {
    const target = join(dir, `requests.partial-${level}.jsonl`);
    const previous = existsSync(target) ? readFileSync(target, "utf8") : "";
    writeFileSync(target, previous + lines.map((l) => `${l}\n`).join(""));
  }
  writeFileAtomic(path, keep.map((l) => `${l}\n`).join(""));
  return [...partial.values()].reduce((n, lines) => n + lines.length, 0);
}
