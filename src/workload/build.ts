// Owns assembling one level's RequestSpecs from synthetic prompts, a fixed prompt or a dataset.
// Pure set-up work: no I/O, no clocks; token counts come from the client tokenizer.

import { BenchError } from "../errors.js";
import type { DatasetRow } from "./dataset.js";
import type { ChatMessage, Endpoint, RequestSpec } from "./request-spec.js";
import { fixedPrompt, makeSyntheticPrompts } from "./synthetic.js";
import type { TextTokenizer } from "./tokenizer.js";

export type { DatasetRow } from "./dataset.js";

export interface BuildRequestsOptions {
  endpoint: Endpoint;
  count: number;
  tokenizer: TextTokenizer;
  /** Synthetic prompt length; required unless `prompt` or `dataset` is given (then ignored). */
  inputTokens?: number | undefined;
  /** Target completion length; a dataset row's own output_tokens wins. */
  outputTokens?: number | undefined;
  /** Synthetic only: tokens shared by every prompt of the level. */
  sharedPrefixTokens?: number | undefined;
  /** The same prompt for every request. */
  prompt?: string | undefined;
  /** Rows used in order, cycling: request i gets row (startIndex + i) % rows.length. */
  dataset?: readonly DatasetRow[] | undefined;
  seed: number;
  /**
   * Offset into the deterministic prompt sequence. Give each level of a sweep its own range
   * (e.g. the number of requests built so far) or levels re-send identical prompts and the
   * server's prefix cache flatters every level after the first.
   */
  startIndex?: number | undefined;
}

/**
 * Builds the requests of one level. For chat, a prompt becomes one user message and
 * `inputTokens` is the sum of the message contents' token counts: no chat template is applied,
 * so the server's prompt_tokens will be higher by the template's tokens.
 * @example
 * buildRequests({ endpoint: "chat", count: 64, tokenizer, inputTokens: 1024, outputTokens: 128, seed: 1 });
 */
export function buildRequests(options: BuildRequestsOptions): RequestSpec[] {
  const { tokenizer, count } = options;
  const startIndex = options.startIndex ?? 0;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new BenchError("E_BAD_CONFIG", `request count must be a non-negative integer, got ${count}`);
  }
  const outputTokens = checkOutputTokens(options.outputTokens);
  if (options.prompt !== undefined && options.dataset !== undefined) {
    throw new BenchError("E_BAD_CONFIG", "--prompt and --dataset cannot be used together", { where: "--prompt" });
  }
  if (options.dataset !== undefined) {
    return fromDataset(options.endpoint, tokenizer, options.dataset, count, startIndex, outputTokens);
  }
  if (options.prompt !== undefined) {
    const fixed = fixedPrompt(tokenizer, options.prompt);
    return range(count).map((index) => spec(options.endpoint, index, fixed.prompt, fixed.inputTokens, outputTokens));
  }
  const inputTokens = options.inputTokens;
  if (inputTokens === undefined) {
    throw new BenchError("E_BAD_CONFIG", "--input-tokens is required for synthetic prompts", {
      where: "--input-tokens",
    });
  }
  const prompts = makeSyntheticPrompts({
    tokenizer,
    count,
    inputTokens,
    sharedPrefixTokens: options.sharedPrefixTokens ?? 0,
    seed: options.seed,
    startIndex,
  });
  return prompts.map((prompt, index) => spec(options.endpoint, index, prompt, inputTokens, outputTokens));
}

/** Token count of `text` as the client sees it (no special tokens, no chat template). */
export function clientTokenCount(tokenizer: TextTokenizer, text: string): number {
  return tokenizer.count(text);
}

/**
 * Prompt tokens of a chat request, without a template. Contents are counted one by one, as a
 * template separates them with special tokens, so no BPE merge can span two messages.
 */
export function chatInputTokens(tokenizer: TextTokenizer, messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + tokenizer.count(message.content), 0);
}

function fromDataset(
  endpoint: Endpoint,
  tokenizer: TextTokenizer,
  rows: readonly DatasetRow[],
  count: number,
  startIndex: number,
  outputTokens: number | undefined,
): RequestSpec[] {
  if (rows.length === 0) throw new BenchError("E_DATASET", "dataset has no rows", { where: "--dataset" });
  const counted = new Map<number, number>(); // rows repeat when cycled; count each once
  return range(count).map((index) => {
    const rowIndex = (startIndex + index) % rows.length;
    const row = rows[rowIndex] as DatasetRow;
    const target = row.outputTokens ?? outputTokens;
    if (endpoint === "completions") {
      if (row.prompt === undefined) {
        const where = row.where ?? `dataset row ${rowIndex + 1}`;
        const message = `${where}: row has "messages" but no "prompt"; --endpoint completions needs "prompt"`;
        throw new BenchError("E_DATASET", message, { where });
      }
      const prompt = row.prompt;
      const tokens = memo(counted, rowIndex, () => tokenizer.count(prompt));
      return { index, prompt, inputTokens: tokens, targetOutputTokens: target };
    }
    const messages = row.messages ?? (row.prompt === undefined ? [] : [{ role: "user", content: row.prompt }]);
    if (messages.length === 0) {
      const where = row.where ?? `dataset row ${rowIndex + 1}`;
      throw new BenchError("E_DATASET", `${where}: row has neither "prompt" nor "messages"`, { where });
    }
    const tokens = memo(counted, rowIndex, () => chatInputTokens(tokenizer, messages));
    return { index, messages: messages.map((m) => ({ ...m })), inputTokens: tokens, targetOutputTokens: target };
  });
}

function spec(
  endpoint: Endpoint,
  index: number,
  prompt: string,
  inputTokens: number,
  target: number | undefined,
): RequestSpec {
  return endpoint === "chat"
    ? { index, messages: [{ role: "user", content: prompt }], inputTokens, targetOutputTokens: target }
    : { index, prompt, inputTokens, targetOutputTokens: target };
}

function checkOutputTokens(value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
    throw new BenchError("E_BAD_CONFIG", `--output-tokens must be a positive integer, got ${value}`, {
      where: "--output-tokens",
    });
  }
  return value;
}

function memo(cache: Map<number, number>, key: number, compute: () => number): number {
  let value = cache.get(key);
  if (value === undefined) cache.set(key, (value = compute()));
  return value;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
