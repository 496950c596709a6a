// Owns parsing the values of run's flags that are more than a number or a duration: fractions,
// --cancel-after, --extra-body, --shard, --workers, --power. Pure functions, errors naming the flag.

import { BenchError } from "../errors.js";
import type { RunConfigInput } from "./run-config.js";
import { parseDurationMs, parsePositiveInt, parsePositiveNumber } from "./units.js";

/** A number in (0, 1]: "0.1" or "10%". */
export function parseFraction(value: string, flag: string): number {
  const percent = value.trim().endsWith("%");
  const n = parsePositiveNumber(percent ? value.trim().slice(0, -1) : value, flag) / (percent ? 100 : 1);
  if (n > 1) throw new BenchError("E_BAD_FLAG", `${flag}: "${value}" is not a fraction between 0 and 1 (or a percentage)`, { where: flag });
  return n;
}

/** 0 or a positive number. */
export function parseNonNegative(value: string, flag: string): number {
  return value.trim() === "0" ? 0 : parsePositiveNumber(value, flag);
}

/** 0 or a positive duration. */
export function parseNonNegativeDurationMs(value: string, flag: string): number {
  return /^\s*0+(\.0*)?\s*(ms|s|m|h)?\s*$/.test(value) ? 0 : parseDurationMs(value, flag);
}

/** As the run configuration holds it (run-config.ts). */
type CancelAfter = NonNullable<RunConfigInput["cancelAfter"]>;

/** "2s", "500ms" (after the send) or "20tokens" (after that many streamed chunks). */
export function parseCancelAfter(value: string, flag: string): CancelAfter {
  const tokens = /^\s*(\d+)\s*(?:tokens?|t)\s*$/i.exec(value);
  if (tokens?.[1] !== undefined) return { kind: "tokens", tokens: parsePositiveInt(tokens[1], flag) };
  return { kind: "ms", ms: parseDurationMs(value, flag) };
}

/** A JSON object, e.g. '{"cache_prompt":false}'. */
export function parseExtraBody(value: string, flag: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new BenchError("E_BAD_FLAG", `${flag}: not valid JSON (${(error as Error).message}); expected an object such as '{"cache_prompt":false}'`, {
      where: flag,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BenchError("E_BAD_FLAG", `${flag}: expected a JSON object such as '{"cache_prompt":false}'`, { where: flag });
  }
  return parsed as Record<string, unknown>;
}

/** One share of a split: I of N. */
export interface ShareStep {
  index: number;
  count: number;
}

/** `--shard I/N`: 0 <= I < N. */
export function parseShardFlag(value: string, flag = "--shard"): ShareStep {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1) || !(index >= 0) || index >= count) {
    throw new BenchError("E_BAD_FLAG", `${flag}: expected I/N with 0 <= I < N (e.g. 0/4), got "${value}"`, { where: flag });
  }
  return { index, count };
}

/** `--workers auto`: one per core, leaving one for the system above two cores. */
export function resolveWorkerCount(value: number | "auto", cores: number): number {
  if (value !== "auto") return value;
  return cores > 2 ? cores - 1 : Math.max(1, cores);
}

export type PowerSource =
  | { kind: "nvidia-smi" }
  | { kind: "rocm-smi" }
  /** A shell command printing watts, one number per GPU per line (e.g. `ssh gpu-host nvidia-smi …`). */
  | { kind: "cmd"; command: string }
  /** A DCGM exporter: Σ DCGM_FI_DEV_POWER_USAGE over its GPUs. */
  | { kind: "dcgm"; url: string };

/** `--power`: auto | none | nvidia-smi | rocm-smi | cmd:<command> | dcgm:<url>. */
export function parsePowerFlag(value: string, flag = "--power"): PowerSource | "auto" | "none" {
  const v = value.trim();
  if (v === "auto" || v === "none") return v;
  if (v === "nvidia-smi" || v === "rocm-smi") return { kind: v };
  if (v.startsWith("cmd:") && v.length > 4) return { kind: "cmd", command: v.slice(4) };
  if (v.startsWith("dcgm:")) {
    const url = v.slice(5);
    if (/^https?:\/\/[^\s]+$/.test(url)) return { kind: "dcgm", url };
  }
  throw new BenchError(
    "E_BAD_FLAG",
    `${flag}: "${value}" is not auto, none, nvidia-smi, rocm-smi, cmd:<command> or dcgm:<http URL of a DCGM exporter's /metrics>`,
    { where: flag },
  );
}
