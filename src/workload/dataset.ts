// Owns reading JSONL prompt datasets: one JSON object per line with "prompt" or "messages" and an
// optional "output_tokens". Every problem is an E_DATASET BenchError naming <file>:<line>.

import { readFileSync } from "node:fs";
import { BenchError } from "../errors.js";
import type { ChatMessage } from "./request-spec.js";

export interface DatasetRow {
  prompt?: string;
  messages?: ChatMessage[];
  /** From "output_tokens"; undefined lets the request fall back to --output-tokens. */
  outputTokens?: number;
  /** A recorded answer (ShareGPT): its token count under the client tokenizer is the target output length. */
  answer?: string;
  /** Every (user, answer) pair of a recorded conversation, for multi-turn sessions (ShareGPT). */
  turns?: DatasetTurn[];
  /** "<file>:<line>", for error messages about this row later on. */
  where?: string;
}

export interface DatasetTurn {
  user: string;
  answer?: string;
}

const ROLES: ReadonlySet<string> = new Set<ChatMessage["role"]>(["system", "user", "assistant"]);

/**
 * Reads a JSONL dataset. Blank lines are skipped; unknown fields are ignored; a row may carry
 * both "prompt" and "messages" (completions uses the first, chat the second).
 * @example
 * // data.jsonl: {"prompt": "Say hi", "output_tokens": 16}
 * loadJsonlDataset("data.jsonl"); // [{ prompt: "Say hi", outputTokens: 16, where: "data.jsonl:1" }]
 */
export function loadJsonlDataset(path: string): DatasetRow[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new BenchError("E_DATASET", `${path}: cannot read dataset (${code})`, { where: path, cause });
  }
  return parseJsonlDataset(text, path);
}

/** Parses JSONL text; `file` only labels error messages. */
export function parseJsonlDataset(text: string, file: string): DatasetRow[] {
  const rows: DatasetRow[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line.length > 0) rows.push(parseRow(line, `${file}:${i + 1}`));
  });
  if (rows.length === 0) {
    throw new BenchError("E_DATASET", `${file}: dataset has no rows`, { where: file });
  }
  return rows;
}

function parseRow(line: string, where: string): DatasetRow {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new BenchError("E_DATASET", `${where}: invalid JSON (${why})`, { where, cause });
  }
  return rowFromValue(value, where, "expected a JSON object per line");
}

/**
 * Validates one parsed row ({prompt | messages, output_tokens?}); `where` labels errors.
 * Also used for JSON-array and CSV datasets.
 */
export function rowFromValue(value: unknown, where: string, notObject = "expected a JSON object"): DatasetRow {
  const fail = (what: string): BenchError => new BenchError("E_DATASET", `${where}: ${what}`, { where });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw fail(notObject);
  }
  const obj = value as Record<string, unknown>;
  const row: DatasetRow = { where };
  if (obj["prompt"] !== undefined) {
    if (typeof obj["prompt"] !== "string") throw fail(`"prompt" must be a string, got ${typeName(obj["prompt"])}`);
    if (obj["prompt"].length === 0) throw fail(`"prompt" is empty`);
    row.prompt = obj["prompt"];
  }
  if (obj["messages"] !== undefined) row.messages = parseMessages(obj["messages"], fail);
  if (row.prompt === undefined && row.messages === undefined) {
    throw fail(`needs "prompt" (string) or "messages" (array of {role, content})`);
  }
  const outputTokens = obj["output_tokens"];
  if (outputTokens !== undefined && outputTokens !== null && outputTokens !== "") {
    if (typeof outputTokens !== "number" || !Number.isSafeInteger(outputTokens) || outputTokens < 1) {
      throw fail(`"output_tokens" must be a positive integer, got ${JSON.stringify(outputTokens)}`);
    }
    row.outputTokens = outputTokens;
  }
  return row;
}

export function parseMessages(value: unknown, fail: (what: string) => BenchError): ChatMessage[] {
  if (!Array.isArray(value)) throw fail(`"messages" must be an array of {role, content}, got ${typeName(value)}`);
  if (value.length === 0) throw fail(`"messages" is empty`);
  return value.map((item: unknown, i): ChatMessage => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw fail(`messages[${i}] must be an object {role, content}, got ${typeName(item)}`);
    }
    const { role, content } = item as Record<string, unknown>;
    if (typeof role !== "string" || !ROLES.has(role)) {
      const got = JSON.stringify(role) ?? "nothing";
      throw fail(`messages[${i}].role must be one of ${[...ROLES].join(", ")}, got ${got}`);
    }
    if (typeof content !== "string") {
      throw fail(`messages[${i}].content must be a string, got ${typeName(content)}`);
    }
    return { role: role as ChatMessage["role"], content };
  });
}

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  if (type === "undefined") return "nothing";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
