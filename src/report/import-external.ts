// Owns `servebench import`: rows of engine, hardware, model, requests, tokens, time and
// throughput from another tool or an offline benchmark (seed 002's Nano-vLLM numbers) become
// run directories marked as imported, so reports and comparisons show them beside measured runs.

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import type { LevelSummary } from "../metrics/level.js";
import { BenchError } from "../errors.js";
import { renderCsv } from "./csv.js";
import { slug } from "./escape.js";
import { renderMarkdown } from "./markdown.js";
import { writeFileRedacted } from "./run-dir.js";
import { SUMMARY_SCHEMA, type RunSummary } from "../results/run-summary.js";

export interface ExternalRow {
  engine: string;
  hardware: string | null;
  model: string | null;
  requests: number | null;
  outputTokens: number;
  timeS: number;
  tokensPerS: number;
  inputTokens: number | null;
  concurrency: number | null;
  notes: string | null;
}

/** Accepted column names (after lower-casing and turning non-alphanumerics into `_`). */
const SYNONYMS: Record<keyof ExternalRow, string[]> = {
  engine: ["engine", "inference_engine", "label", "name", "system"],
  hardware: ["hardware", "gpu", "device", "preset"],
  model: ["model"],
  requests: ["requests", "num_requests", "num_seqs", "sequences", "prompts"],
  outputTokens: ["tokens", "output_tokens", "total_tokens_generated", "tokens_generated", "generated_tokens"],
  timeS: ["time_s", "time", "duration_s", "duration", "total_run_time_sec", "total_run_time_s", "total_time_s", "elapsed_s"],
  tokensPerS: ["throughput", "throughput_tokens_s", "tokens_per_s", "output_tokens_per_s", "tokens_s", "tok_s"],
  inputTokens: ["input_tokens", "prompt_tokens"],
  concurrency: ["concurrency", "batch_size", "max_num_seqs"],
  notes: ["notes", "note", "comment", "source"],
};

function normKey(key: string): string {
  return key.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** "1,434.13", "**10,977.55**", "83.13s", "262 144" → numbers; anything else → null. */
export function parseLooseNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string") return null;
  const cleaned = value.replace(/\*\*/g, "").replace(/[,\s_]/g, "").replace(/(tokens\/s|tok\/s|sec|s)$/i, "");
  if (cleaned === "" || !/^[+-]?\d*\.?\d+(e[+-]?\d+)?$/i.test(cleaned)) return null;
  return Number(cleaned);
}

/** RFC 4180 CSV: quoted fields, doubled quotes, newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      if (row.some((f) => f.trim() !== "")) rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f.trim() !== "")) rows.push(row);
  return rows;
}

function readRecords(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) throw new BenchError("E_IO", `${path}: no such file`, { where: path });
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  if (extname(path).toLowerCase() === ".json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new BenchError("E_BAD_CONFIG", `${path}: not valid JSON: ${(cause as Error).message}`, { where: path, cause });
    }
    const rows = Array.isArray(parsed) ? parsed : (parsed as { rows?: unknown })?.rows;
    if (!Array.isArray(rows)) throw new BenchError("E_BAD_CONFIG", `${path}: expected an array of rows or {"rows": [...]}`, { where: path });
    const notObject = rows.findIndex((r) => r === null || typeof r !== "object" || Array.isArray(r));
    if (notObject >= 0) throw new BenchError("E_BAD_FILE", `${path}: rows[${notObject}]: expected an object (column → value)`, { where: path });
    return rows as Array<Record<string, unknown>>;
  }
  const [header, ...body] = parseCsv(text);
  if (!header) throw new BenchError("E_BAD_CONFIG", `${path}: empty`, { where: path });
  return body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])));
}

function pickColumn(record: Record<string, unknown>, field: keyof ExternalRow): { column: string; value: unknown } | undefined {
  const byKey = new Map(Object.entries(record).map(([k, v]) => [normKey(k), { column: k, value: v }]));
  for (const name of SYNONYMS[field]) {
    const found = byKey.get(name);
    if (found !== undefined) return found;
  }
  return undefined;
}

function pick(record: Record<string, unknown>, field: keyof ExternalRow): unknown {
  return pickColumn(record, field)?.value;
}

/** A numeric column: absent or empty → null; present but not a number → an error naming row and column. */
function numberColumn(record: Record<string, unknown>, field: keyof ExternalRow, where: string): number | null {
  const found = pickColumn(record, field);
  if (found === undefined || found.value === null || found.value === undefined || (typeof found.value === "string" && found.value.trim() === "")) return null;
  const n = parseLooseNumber(found.value);
  if (n === null || n < 0) {
    throw new BenchError("E_BAD_FILE", `${where}: column ${found.column}: expected a non-negative number, got ${JSON.stringify(found.value)}`, { where });
  }
  return n;
}

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v).replace(/\*\*/g, "").trim();
  return s === "" ? null : s;
}

/** Validates and completes one row: throughput = tokens / time or time = tokens / throughput. */
export function toExternalRow(record: Record<string, unknown>, where: string): ExternalRow {
  const engine = text(pick(record, "engine"));
  if (!engine) throw new BenchError("E_BAD_CONFIG", `${where}: no engine (column engine, inference_engine or label)`, { where });
  let tokens = numberColumn(record, "outputTokens", where);
  let timeS = numberColumn(record, "timeS", where);
  let tokensPerS = numberColumn(record, "tokensPerS", where);
  if (tokensPerS === null && tokens !== null && timeS) tokensPerS = tokens / timeS;
  if (timeS === null && tokens !== null && tokensPerS) timeS = tokens / tokensPerS;
  if (tokens === null && timeS !== null && tokensPerS !== null) tokens = Math.round(timeS * tokensPerS);
  if (tokens === null || timeS === null || tokensPerS === null || timeS <= 0) {
    throw new BenchError("E_BAD_CONFIG", `${where}: needs two of tokens, time (s) and throughput (tokens/s)`, { where });
  }
  return {
    engine, hardware: text(pick(record, "hardware")), model: text(pick(record, "model")),
    requests: numberColumn(record, "requests", where), outputTokens: tokens, timeS, tokensPerS,
    inputTokens: numberColumn(record, "inputTokens", where), concurrency: numberColumn(record, "concurrency", where), notes: text(pick(record, "notes")),
  };
}

export function externalSummary(row: ExternalRow, source: string, rowNumber: number): RunSummary {
  const requests = row.requests ?? 0;
  // An offline batch submits everything at once: without a concurrency column, requests stand in for it.
  const concurrency = row.concurrency ?? (requests > 0 ? requests : 1);
  const input = row.inputTokens ?? 0;
  const level: LevelSummary = {
    level: 0, load: { kind: "concurrency", concurrency },
    requests: { sent: requests, completed: requests, errored: 0, aborted: 0, warmup: 0 }, errors_by_code: {},
    duration_s: row.timeS, request_per_s: requests / row.timeS, input_tokens_per_s: input / row.timeS,
    output_tokens_per_s: row.tokensPerS, total_tokens_per_s: (input + row.outputTokens) / row.timeS,
    input_tokens_total: input, output_tokens_total: row.outputTokens, interrupted: false,
    warnings: [`imported from ${source} row ${rowNumber}: not measured by servebench${row.notes ? ` (${row.notes})` : ""}`],
  };
  return {
    schema: SUMMARY_SCHEMA, servebench_version: "imported",
    run: {
      started_at: "", target: `imported:${source}`, embedded_simulator: false, model: row.model ?? "unknown", endpoint: "completions",
      tokenizer: "n/a", workload: `imported: ${row.outputTokens} output tokens${requests > 0 ? ` over ${requests} requests` : ""}`,
      strict: false, percentiles: [50, 90, 95, 99], seed: 0, predicted: false, interrupted: false, imported: { source, row: rowNumber },
    },
    levels: [level],
  };
}

/**
 * Imports every row of FILE.csv|json as a run directory under `outDir`.
 * @example importExternal("nano-vllm.csv", "imported/nano-vllm") // ["imported/nano-vllm/nano-vllm-a100", ...]
 */
export function importExternal(file: string, outDir: string): string[] {
  const source = basename(file);
  const rows = readRecords(file).map((r, i) => toExternalRow(r, `${source} row ${i + 1}`));
  if (rows.length === 0) throw new BenchError("E_BAD_CONFIG", `${file}: no rows`, { where: file });
  const dirs: string[] = [];
  rows.forEach((row, i) => {
    let name = slug([row.engine, row.hardware, row.model].filter(Boolean).join("-"));
    for (let n = 2; dirs.includes(join(outDir, name)); n++) name = `${slug(row.engine)}-${n}`;
    const dir = join(outDir, name);
    mkdirSync(dir, { recursive: true });
    const summary = externalSummary(row, source, i + 1);
    const dimensions: Record<string, string> = { engine: row.engine };
    if (row.hardware) dimensions.hardware = row.hardware;
    if (row.model) dimensions.model = row.model;
    writeFileRedacted(join(dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileRedacted(join(dir, "cell.json"), `${JSON.stringify({ id: name, dimensions, imported: true }, null, 2)}\n`);
    writeFileRedacted(join(dir, "summary.csv"), renderCsv(summary));
    writeFileRedacted(join(dir, "summary.md"), renderMarkdown(summary));
    dirs.push(dir);
  });
  return dirs;
}
