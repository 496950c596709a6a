// Owns assembling one level's RequestSpecs from synthetic prompts (fixed or sampled lengths, with
// optional shared-prefix groups), a fixed prompt or a dataset. Pure set-up work: no I/O, no clocks.
// Input counts are what the server will report when the PromptCounter can know it.

import { BenchError } from "../errors.js";
import { createPromptCounter, type PromptCounter } from "./chat-template.js";
import type { DatasetRow } from "./dataset.js";
import { datasetSpecs } from "./build-dataset.js";
import type { LengthSampler } from "./length-sampler.js";
import { deriveSeed } from "./random.js";
import type { ChatMessage, Endpoint, RequestSpec } from "./request-spec.js";
import { fixedPrompt, makeBlockPrompt, makeSyntheticPrompts } from "./synthetic.js";
import type { TextTokenizer } from "./tokenizer.js";
import { usesMessages } from "./request-spec.js";

export type { DatasetRow } from "./dataset.js";

export interface PrefixGroups {
  /** Number of distinct shared prefixes (system prompts); request i belongs to group i mod groups. */
  groups: number;
  /** Tokens of each group's prefix (for chat: the system message content). */
  prefixTokens: number;
}

export interface BuildRequestsOptions {
  endpoint: Endpoint;
  count: number;
  tokenizer: TextTokenizer;
  /** How input tokens are counted (default: the tokenizer, no chat template). */
  counter?: PromptCounter | undefined;
  /** Synthetic prompt length (total, as the server counts it); or `inputLength` per request. */
  inputTokens?: number | undefined;
  inputLength?: LengthSampler | undefined;
  /** Target completion length, or `outputLength` per request; a dataset row's own target wins. */
  outputTokens?: number | undefined;
  outputLength?: LengthSampler | undefined;
  /** Synthetic only: tokens shared by every prompt of the level. */
  sharedPrefixTokens?: number | undefined;
  /** Synthetic only: groups of requests sharing a prefix each. */
  prefixGroups?: PrefixGroups | undefined;
  /** Synthetic only: hashed block ids per request (trace replay); equal leading ids give an equal prefix. */
  blockIds?: ((globalIndex: number) => readonly number[] | undefined) | undefined;
  /** Tokens per hashed block (default 512). */
  blockTokens?: number | undefined;
  /** Input + output never exceed this (the server's max_model_len): inputs are clipped, then outputs. */
  maxModelLen?: number | undefined;
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

const SALT_GROUP = 0x4752;

/**
 * Builds the requests of one level.
 * @example
 * buildRequests({ endpoint: "chat", count: 64, tokenizer, inputTokens: 1024, outputTokens: 128, seed: 1 });
 */
export function buildRequests(options: BuildRequestsOptions): RequestSpec[] {
  const { tokenizer, count } = options;
  const startIndex = options.startIndex ?? 0;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new BenchError("E_BAD_CONFIG", `request count must be a non-negative integer, got ${count}`);
  }
  const counter = options.counter ?? createPromptCounter(tokenizer, "none");
  const fixedOutput = checkOutputTokens(options.outputTokens);
  const outputAt = (i: number): number | undefined => options.outputLength?.(i) ?? fixedOutput;
  if (options.prompt !== undefined && options.dataset !== undefined) {
    throw new BenchError("E_BAD_CONFIG", "`prompt` and `dataset` cannot be used together", { where: "prompt" });
  }
  if (options.dataset !== undefined) {
    return datasetSpecs({ ...options, counter, rows: options.dataset, startIndex, outputAt });
  }
  if (options.prompt !== undefined) {
    const fixed = fixedPrompt(tokenizer, options.prompt);
    const messages: ChatMessage[] = [{ role: "user", content: fixed.prompt }];
    const inputTokens = usesMessages(options.endpoint) ? counter.chat(messages) : counter.completion(fixed.prompt);
    return range(count).map((index) =>
      spec(options.endpoint, index, fixed.prompt, inputTokens, clipOutput(outputAt(startIndex + index), inputTokens, options.maxModelLen)),
    );
  }
  const inputAt = options.inputLength ?? constantLength(options.inputTokens);
  return range(count).map((index) => synthetic(options, counter, startIndex + index, index, inputAt, outputAt));
}

/** One synthetic request: sized so the server counts `inputAt(i)` tokens when the counter is exact. */
function synthetic(
  options: BuildRequestsOptions,
  counter: PromptCounter,
  globalIndex: number,
  index: number,
  inputAt: LengthSampler,
  outputAt: (i: number) => number | undefined,
): RequestSpec {
  const { endpoint, tokenizer, maxModelLen } = options;
  const groups = options.prefixGroups;
  const { input: total, output } = fitToContext(inputAt(globalIndex), outputAt(globalIndex), maxModelLen);
  if (groups !== undefined) return groupedSpec(options, counter, groups, globalIndex, index, total, output);
  const overhead = usesMessages(endpoint) ? counter.chatOverhead(["user"]) : tokenizer.specialTokensAdded;
  const shared = options.sharedPrefixTokens ?? 0;
  // A shared prefix needs at least one unique token after it.
  const content = Math.max(1, shared + 1, total - overhead);
  const blocks = options.blockIds?.(globalIndex);
  const prompt =
    blocks !== undefined && blocks.length > 0
      ? makeBlockPrompt({ tokenizer, blockIds: blocks, inputTokens: content, blockTokens: options.blockTokens ?? 512, seed: options.seed, index: globalIndex })
      : (
          makeSyntheticPrompts({ tokenizer, count: 1, inputTokens: content, sharedPrefixTokens: shared, seed: options.seed, startIndex: globalIndex }) as [
            string,
          ]
        )[0];
  const messages: ChatMessage[] = [{ role: "user", content: prompt }];
  const inputTokens = usesMessages(endpoint) ? counter.chat(messages) : counter.completion(prompt);
  const s = spec(endpoint, index, prompt, inputTokens, output);
  // One shared prefix is one group: every request after the first could reuse it (the best case).
  if (shared > 0 && blocks === undefined) return { ...s, group: 0, prefixTokens: shared + (usesMessages(endpoint) ? 0 : tokenizer.specialTokensAdded) };
  return s;
}

/** Group g's prefix is the same text for every request of g (seeded by g); the suffix is unique. */
function groupedSpec(
  options: BuildRequestsOptions,
  counter: PromptCounter,
  groups: PrefixGroups,
  globalIndex: number,
  index: number,
  total: number,
  output: number | undefined,
): RequestSpec {
  const { endpoint, tokenizer } = options;
  const group = globalIndex % groups.groups;
  const groupSeed = deriveSeed(options.seed, SALT_GROUP, group);
  const p = groups.prefixTokens;
  if (usesMessages(endpoint)) {
    const suffix = Math.max(1, total - p - counter.chatOverhead(["system", "user"]));
    const [system] = makeSyntheticPrompts({ tokenizer, count: 1, inputTokens: p, seed: groupSeed, startIndex: 0 }) as [string];
    const [user] = makeSyntheticPrompts({ tokenizer, count: 1, inputTokens: suffix, seed: options.seed, startIndex: globalIndex }) as [string];
    const messages: ChatMessage[] = [
      { role: "system", content: system },
      { role: "user", content: user },
    ];
    return { index, messages, inputTokens: counter.chat(messages), targetOutputTokens: output, group, prefixTokens: p };
  }
  const content = Math.max(p + 1, total - tokenizer.specialTokensAdded);
  const [prompt] = makeSyntheticPrompts({
    tokenizer,
    count: 1,
    inputTokens: content,
    sharedPrefixTokens: p,
    seed: groupSeed,
    startIndex: globalIndex,
  }) as [string];
  const inputTokens = counter.completion(prompt);
  return { index, prompt, inputTokens, targetOutputTokens: output, group, prefixTokens: p + tokenizer.specialTokensAdded };
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

/**
 * Asked lengths shortened so input + output ≤ max_model_len: the output first capped at
 * max_model_len − 1, then the input. `clipped` when either changed (the level warns about it).
 */
export function fitToContext(
  input: number,
  output: number | undefined,
  maxModelLen: number | undefined,
): { input: number; output: number | undefined; clipped: boolean } {
  if (maxModelLen === undefined) return { input, output, clipped: false };
  const fitOutput = output === undefined ? undefined : Math.min(output, maxModelLen - 1);
  const fitInput = Math.min(input, maxModelLen - (fitOutput ?? 0));
  return { input: fitInput, output: fitOutput, clipped: fitInput !== input || fitOutput !== output };
}

/** Output target capped so input + output fit the context; at least 1. */
export function clipOutput(output: number | undefined, input: number, maxModelLen: number | undefined): number | undefined {
  if (output === undefined || maxModelLen === undefined) return output;
  return Math.max(1, Math.min(output, maxModelLen - input));
}

function constantLength(inputTokens: number | undefined): LengthSampler {
  if (inputTokens === undefined) {
    throw new BenchError("E_BAD_CONFIG", "`inputTokens` is required for synthetic prompts", { where: "inputTokens" });
  }
  if (!Number.isSafeInteger(inputTokens) || inputTokens < 1) {
    throw new BenchError("E_BAD_CONFIG", `\`inputTokens\` must be a positive integer, got ${inputTokens}`, { where: "inputTokens" });
  }
  return () => inputTokens;
}

function spec(endpoint: Endpoint, index: number, prompt: string, inputTokens: number, target: number | undefined): RequestSpec {
  return usesMessages(endpoint)
    ? { index, messages: [{ role: "user", content: prompt }], inputTokens, targetOutputTokens: target }
    : { index, prompt, inputTokens, targetOutputTokens: target };
}

function checkOutputTokens(value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
    throw new BenchError("E_BAD_CONFIG", `\`outputTokens\` must be a positive integer, got ${value}`, {
      where: "outputTokens",
    });
  }
  return value;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
