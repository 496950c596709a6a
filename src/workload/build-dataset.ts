// Owns turning dataset rows into RequestSpecs: cycling rows, counting each row's input once,
// targets from the row (output_tokens, or a recorded answer's length), and skipping rows whose
// prompt alone does not fit the server's context.

import { BenchError } from "../errors.js";
import type { PromptCounter } from "./chat-template.js";
import type { DatasetRow } from "./dataset.js";
import type { ChatMessage, Endpoint, RequestSpec } from "./request-spec.js";
import type { TextTokenizer } from "./tokenizer.js";
import { usesMessages } from "./request-spec.js";

export interface DatasetSpecsOptions {
  endpoint: Endpoint;
  tokenizer: TextTokenizer;
  counter: PromptCounter;
  rows: readonly DatasetRow[];
  count: number;
  startIndex: number;
  /** Fallback target for rows without their own (--output-tokens / --output-dist). */
  outputAt: (globalIndex: number) => number | undefined;
  maxModelLen?: number | undefined;
}

interface CountedRow {
  prompt?: string;
  messages?: ChatMessage[];
  inputTokens: number;
  /** The row's own target: output_tokens, else the token count of its recorded answer. */
  rowTarget: number | undefined;
  fits: boolean;
}

/** Each row is counted once per counter (rows repeat when cycled and across levels). */
const counted = new WeakMap<PromptCounter, WeakMap<readonly DatasetRow[], Map<string, CountedRow>>>();

/** Request i uses row (startIndex + i) mod rows, moving on past rows too long for the context. */
export function datasetSpecs(options: DatasetSpecsOptions): RequestSpec[] {
  const { rows, count, startIndex } = options;
  if (rows.length === 0) throw new BenchError("E_DATASET", "dataset has no rows", { where: "dataset" });
  let byRows = counted.get(options.counter);
  if (byRows === undefined) counted.set(options.counter, (byRows = new WeakMap()));
  let cache = byRows.get(rows);
  if (cache === undefined) byRows.set(rows, (cache = new Map()));
  const specs: RequestSpec[] = [];
  let rowCursor = startIndex;
  for (let index = 0; index < count; index++) {
    let row: CountedRow | undefined;
    for (let tries = 0; tries < rows.length && row === undefined; tries++, rowCursor++) {
      const candidate = countRow(options, cache, rowCursor % rows.length);
      if (candidate.fits) row = candidate;
    }
    if (row === undefined) {
      throw new BenchError("E_DATASET", `no dataset row fits the server's max_model_len (${options.maxModelLen})`, { where: "dataset" });
    }
    const target = clip(row.rowTarget ?? options.outputAt(startIndex + index), row.inputTokens, options.maxModelLen);
    specs.push(
      row.messages !== undefined
        ? { index, messages: row.messages.map((m) => ({ ...m })), inputTokens: row.inputTokens, targetOutputTokens: target }
        : { index, prompt: row.prompt as string, inputTokens: row.inputTokens, targetOutputTokens: target },
    );
  }
  return specs;
}

function countRow(options: DatasetSpecsOptions, cache: Map<string, CountedRow>, rowIndex: number): CountedRow {
  const key = `${options.endpoint}:${options.maxModelLen ?? ""}:${rowIndex}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const row = options.rows[rowIndex] as DatasetRow;
  const where = row.where ?? `dataset row ${rowIndex + 1}`;
  const rowTarget = row.outputTokens ?? (row.answer === undefined ? undefined : Math.max(1, options.tokenizer.count(row.answer)));
  let result: CountedRow;
  if (!usesMessages(options.endpoint)) {
    if (row.prompt === undefined) {
      const message = `${where}: row has "messages" but no "prompt"; \`endpoint\` ${options.endpoint} needs "prompt"`;
      throw new BenchError("E_DATASET", message, { where });
    }
    result = { prompt: row.prompt, inputTokens: options.counter.completion(row.prompt), rowTarget, fits: true };
  } else {
    const messages = row.messages ?? (row.prompt === undefined ? [] : [{ role: "user" as const, content: row.prompt }]);
    if (messages.length === 0) throw new BenchError("E_DATASET", `${where}: row has neither "prompt" nor "messages"`, { where });
    result = { messages, inputTokens: options.counter.chat(messages), rowTarget, fits: true };
  }
  // The server rejects a prompt that leaves no room for one output token.
  result.fits = options.maxModelLen === undefined || result.inputTokens < options.maxModelLen;
  cache.set(key, result);
  return result;
}

function clip(output: number | undefined, input: number, maxModelLen: number | undefined): number | undefined {
  if (output === undefined || maxModelLen === undefined) return output;
  return Math.max(1, Math.min(output, maxModelLen - input));
}
