// Owns reading request traces for replay: servebench JSONL, Mooncake JSONL and BurstGPT CSV,
// each into (arrival offset, input length, output length) sorted by arrival. Every problem is an
// E_DATASET error naming <file>:<line>.

import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { BenchError } from "../errors.js";
import { parseCsv } from "./datasets/csv.js";

export const TRACE_FORMATS = ["auto", "servebench", "mooncake", "burstgpt"] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export interface TraceEntry {
  /** Milliseconds after the trace's first arrival (before --time-scale). */
  offsetMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Mooncake: ids of the prompt's blocks; equal leading ids mean an equal prompt prefix. */
  hashIds?: number[];
}

export interface LoadedTrace {
  format: Exclude<TraceFormat, "auto">;
  entries: TraceEntry[];
  /** Rows without a usable request (BurstGPT failures with 0 tokens). */
  skipped: number;
}

/**
 * servebench: {"timestamp_ms", "input_tokens", "output_tokens"} per line (or "timestamp_s");
 * Mooncake: {"timestamp" (ms), "input_length", "output_length", "hash_ids"};
 * BurstGPT: CSV "Timestamp" (s), "Request tokens", "Response tokens".
 * @example loadTrace("mooncake_trace.jsonl").entries[0] // { offsetMs: 0, inputTokens: 6955, outputTokens: 52 }
 */
export function loadTrace(file: string, format: TraceFormat = "auto"): LoadedTrace {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new BenchError("E_DATASET", `${file}: cannot read trace (${code})`, { where: file, cause });
  }
  return parseTrace(text, file, format);
}

export function parseTrace(text: string, file: string, format: TraceFormat = "auto"): LoadedTrace {
  const resolved = format === "auto" ? detectTraceFormat(text, file) : format;
  const { raw, skipped } = resolved === "burstgpt" ? burstGpt(text, file) : jsonl(text, file, resolved);
  if (raw.length === 0) throw new BenchError("E_DATASET", `${file}: trace has no requests`, { where: file });
  raw.sort((a, b) => a.atMs - b.atMs);
  const first = (raw[0] as { atMs: number }).atMs;
  const entries = raw.map((r): TraceEntry => ({
    offsetMs: r.atMs - first,
    inputTokens: r.input,
    outputTokens: r.output,
    ...(r.hashIds === undefined ? {} : { hashIds: r.hashIds }),
  }));
  return { format: resolved, entries, skipped };
}

function detectTraceFormat(text: string, file: string): Exclude<TraceFormat, "auto"> {
  if (extname(file).toLowerCase() === ".csv") return "burstgpt";
  const firstLine =
    text
      .replace(/^\uFEFF/, "")
      .split("\n")
      .find((l) => l.trim() !== "") ?? "";
  if (/"input_length"\s*:/.test(firstLine)) return "mooncake";
  if (/"input_tokens"\s*:/.test(firstLine)) return "servebench";
  throw new BenchError("E_DATASET", `${file}: cannot tell the trace format; pass \`traceFormat\` (servebench, mooncake or burstgpt)`, {
    where: "traceFormat",
  });
}

interface Raw {
  atMs: number;
  input: number;
  output: number;
  hashIds?: number[];
}

function jsonl(text: string, file: string, format: "servebench" | "mooncake"): { raw: Raw[]; skipped: number } {
  const raw: Raw[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      const where = `${file}:${i + 1}`;
      const fail = (what: string): BenchError => new BenchError("E_DATASET", `${where}: ${what}`, { where });
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(line) as Record<string, unknown>;
      } catch (cause) {
        throw new BenchError("E_DATASET", `${where}: invalid JSON (${(cause as Error).message})`, { where, cause });
      }
      if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw fail("expected a JSON object per line");
      const num = (key: string, min: number): number => {
        const v = obj[key];
        if (typeof v !== "number" || !Number.isFinite(v) || v < min) throw fail(`"${key}" must be a number >= ${min}, got ${JSON.stringify(v) ?? "nothing"}`);
        return v;
      };
      const int = (key: string): number => {
        const v = num(key, 1);
        if (!Number.isInteger(v)) throw fail(`"${key}" must be an integer, got ${v}`);
        return v;
      };
      if (format === "mooncake") {
        const entry: Raw = { atMs: num("timestamp", 0), input: int("input_length"), output: int("output_length") };
        const ids = obj["hash_ids"];
        if (ids !== undefined) {
          if (!Array.isArray(ids) || !ids.every((h) => Number.isSafeInteger(h) && (h as number) >= 0))
            throw fail(`"hash_ids" must be an array of non-negative integers`);
          if (ids.length > 0) entry.hashIds = ids as number[];
        }
        raw.push(entry);
      } else {
        const atMs = obj["timestamp_ms"] !== undefined ? num("timestamp_ms", 0) : num("timestamp_s", 0) * 1000;
        raw.push({ atMs, input: int("input_tokens"), output: int("output_tokens") });
      }
    });
  return { raw, skipped: 0 };
}

function burstGpt(text: string, file: string): { raw: Raw[]; skipped: number } {
  const [header, ...records] = parseCsv(text, file);
  if (header === undefined) return { raw: [], skipped: 0 };
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const col = (name: string): number => {
    const i = names.indexOf(name);
    if (i < 0) {
      const where = `${file}:${header.line}`;
      throw new BenchError("E_DATASET", `${where}: BurstGPT header needs "${name}", got ${header.cells.join(", ")}`, { where });
    }
    return i;
  };
  const [ts, req, res] = [col("timestamp"), col("request tokens"), col("response tokens")];
  const raw: Raw[] = [];
  let skipped = 0;
  for (const record of records) {
    const where = `${file}:${record.line}`;
    const [t, input, output] = [ts, req, res].map((i) => Number(record.cells[i]?.trim() ?? "")) as [number, number, number];
    if (![t, input, output].every((v) => Number.isFinite(v) && v >= 0)) {
      throw new BenchError("E_DATASET", `${where}: Timestamp, Request tokens and Response tokens must be numbers >= 0`, { where });
    }
    // BurstGPT logs failed requests with 0 response tokens: nothing to replay.
    if (input < 1 || output < 1) skipped++;
    else raw.push({ atMs: t * 1000, input: Math.round(input), output: Math.round(output) });
  }
  return { raw, skipped };
}
