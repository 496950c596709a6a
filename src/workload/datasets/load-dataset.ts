// Owns `--dataset`: detecting the format (extension, then content), reading entries, and the
// seeded `--dataset-sample`. Entries are parsed lazily so sampling 1,000 rows of a 90k-row
// ShareGPT file parses about 1,000 of them. Every problem names <file>:<line>.

import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { BenchError } from "../../errors.js";
import { parseJsonlDataset, rowFromValue, type DatasetRow } from "../dataset.js";
import { createRng, deriveSeed } from "../random.js";
import { parseCsv } from "./csv.js";
import { parseElement, scanJsonArray } from "./json-array-scan.js";
import { shareGptRow } from "./sharegpt.js";

export const DATASET_FORMATS = ["auto", "sharegpt", "json", "jsonl", "csv"] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export interface LoadedDataset {
  file: string;
  format: Exclude<DatasetFormat, "auto">;
  rows: DatasetRow[];
  /** Entries in the file (before sampling). */
  entries: number;
  /** Entries looked at but not usable (ShareGPT conversations without a human turn and an answer). */
  skipped: number;
}

export interface LoadDatasetOptions {
  format?: DatasetFormat;
  /** Take this many rows, chosen by a seeded shuffle; absent = every row in file order. */
  sample?: number;
  seed?: number;
}

const SALT_SAMPLE = 0x5341;

/**
 * @example loadDataset("ShareGPT_V3.json", { sample: 1000, seed: 1 }) // 1,000 conversations, the same ones every time
 */
export function loadDataset(file: string, options: LoadDatasetOptions = {}): LoadedDataset {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new BenchError("E_DATASET", `${file}: cannot read dataset (${code})`, { where: file, cause });
  }
  const format = options.format === undefined || options.format === "auto" ? detectFormat(file, bytes) : options.format;
  const source = entriesOf(format, bytes, file);
  const order = orderOf(source.count, options.sample, options.seed ?? 0);
  const want = options.sample ?? source.count;
  const rows: DatasetRow[] = [];
  let skipped = 0;
  for (const index of order) {
    if (rows.length >= want) break;
    const row = source.row(index);
    if (row === undefined) skipped++;
    else rows.push(row);
  }
  if (rows.length === 0) {
    throw new BenchError("E_DATASET", `${file}: dataset has no usable rows (${source.count} entries, ${skipped} skipped)`, { where: file });
  }
  return { file, format, rows, entries: source.count, skipped };
}

/** By extension (.jsonl/.ndjson, .csv/.tsv, .json), else by the first non-blank character. */
export function detectFormat(file: string, bytes: Uint8Array): Exclude<DatasetFormat, "auto"> {
  const ext = extname(file).toLowerCase();
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (ext === ".csv" || ext === ".tsv") return "csv";
  const head = Buffer.from(bytes.subarray(0, 4096))
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trimStart();
  if (head.startsWith("[")) return /"conversations?"\s*:/.test(head) ? "sharegpt" : "json";
  if (head.startsWith("{")) return "jsonl";
  throw new BenchError("E_DATASET", `${file}: cannot tell the dataset format; pass \`datasetFormat\` (sharegpt, json, jsonl or csv)`, {
    where: "datasetFormat",
  });
}

interface Entries {
  count: number;
  row(index: number): DatasetRow | undefined;
}

function entriesOf(format: Exclude<DatasetFormat, "auto">, bytes: Buffer, file: string): Entries {
  switch (format) {
    case "jsonl": {
      const rows = parseJsonlDataset(bytes.toString("utf8"), file);
      return { count: rows.length, row: (i) => rows[i] };
    }
    case "csv": {
      const rows = csvRows(bytes.toString("utf8"), file);
      return { count: rows.length, row: (i) => rows[i] };
    }
    case "json":
    case "sharegpt": {
      const elements = scanJsonArray(bytes, file);
      return {
        count: elements.length,
        row: (i) => {
          const element = elements[i];
          if (element === undefined) return undefined;
          const value = parseElement(bytes, element, file);
          const where = `${file}:${element.line}`;
          return format === "sharegpt" ? shareGptRow(value, where) : rowFromValue(value, where);
        },
      };
    }
  }
}

/** CSV with a header naming `prompt` and/or `messages` (a JSON array), and optionally `output_tokens`. */
function csvRows(text: string, file: string): DatasetRow[] {
  const delimiter = file.toLowerCase().endsWith(".tsv") ? "\t" : ",";
  const [header, ...records] = parseCsv(text, file, delimiter);
  if (header === undefined) throw new BenchError("E_DATASET", `${file}: dataset has no rows`, { where: file });
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const col = (name: string): number => names.indexOf(name);
  const [prompt, messages, output] = [col("prompt"), col("messages"), col("output_tokens")];
  if (prompt < 0 && messages < 0) {
    const where = `${file}:${header.line}`;
    throw new BenchError("E_DATASET", `${where}: the header needs a "prompt" or "messages" column, got ${names.join(", ")}`, { where });
  }
  return records.map((record) => {
    const where = `${file}:${record.line}`;
    if (record.cells.length !== names.length) {
      throw new BenchError("E_DATASET", `${where}: expected ${names.length} fields like the header, got ${record.cells.length}`, { where });
    }
    const obj: Record<string, unknown> = {};
    const cell = (i: number): string | undefined => (i < 0 ? undefined : record.cells[i]);
    const promptText = cell(prompt);
    if (promptText !== undefined && promptText !== "") obj["prompt"] = promptText;
    const messagesText = cell(messages);
    if (messagesText !== undefined && messagesText.trim() !== "") {
      try {
        obj["messages"] = JSON.parse(messagesText);
      } catch {
        throw new BenchError("E_DATASET", `${where}: "messages" must be a JSON array of {role, content}`, { where });
      }
    }
    const outputText = cell(output)?.trim();
    if (outputText !== undefined && outputText !== "") obj["output_tokens"] = /^\d+$/.test(outputText) ? Number(outputText) : outputText;
    return rowFromValue(obj, where);
  });
}

/** Seeded Fisher–Yates order when sampling; file order otherwise. */
function orderOf(count: number, sample: number | undefined, seed: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  if (sample === undefined) return order;
  const rng = createRng(deriveSeed(seed, SALT_SAMPLE));
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}
