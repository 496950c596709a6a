// Owns counting prompt tokens with the server's own tokenizer: POST /tokenize with `messages`
// (vLLM, SGLang: the count after the server's chat template), or, where /tokenize ignores
// `messages` (llama.cpp answers {"tokens":[]}), POST /apply-template then /tokenize of the
// rendered text with `add_special` (so a BOS-adding model's +1 is known before the run).
// A zero count for a non-empty prompt is never accepted. Probed once; a server without either
// is simply not used (auto) or is a set-up error (server).

import { request } from "undici";
import { BenchError } from "../errors.js";
import type { ChatMessage } from "../workload/request-spec.js";

export interface ServerTokenizer {
  /** "tokenize": /tokenize with messages; "apply-template": llama.cpp's /apply-template + /tokenize. */
  readonly method: "tokenize" | "apply-template";
  chat(messages: readonly ChatMessage[]): Promise<number>;
  /** A completions prompt as the server counts it (special tokens included); llama.cpp only. */
  text?: (prompt: string) => Promise<number>;
}

const PROBE: readonly ChatMessage[] = [{ role: "user", content: "Hi" }];
const PROBE_DEADLINE_MS = 30_000;
/** A token-count answer is small; a server sending more is not answering one. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** Returns a tokenizer when the server can count a chat probe (a positive count), else undefined. */
export async function probeServerTokenize(baseUrl: string, model: string, apiKey: string | undefined): Promise<ServerTokenizer | undefined> {
  const root = baseUrl.replace(/\/v1\/?$/, "").replace(/\/+$/, "");
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiKey !== undefined) headers["authorization"] = `Bearer ${apiKey}`;
  const post = (path: string, body: unknown): Promise<unknown> => postJson(`${root}${path}`, headers, body);
  const viaMessages = async (messages: readonly ChatMessage[]): Promise<number | undefined> =>
    tokenCount(await post("/tokenize", { model, messages, add_generation_prompt: true }));
  const viaText = async (content: string): Promise<number | undefined> =>
    tokenCount(await post("/tokenize", { content, add_special: true, parse_special: true }));
  const viaTemplate = async (messages: readonly ChatMessage[]): Promise<number | undefined> => {
    const rendered = (await post("/apply-template", { messages })) as { prompt?: unknown } | undefined;
    return typeof rendered?.prompt === "string" && rendered.prompt !== "" ? viaText(rendered.prompt) : undefined;
  };
  const strict = (where: string, count: (m: readonly ChatMessage[]) => Promise<number | undefined>) => async (messages: readonly ChatMessage[]) => {
    const n = await count(messages).catch(() => undefined);
    if (n === undefined) throw new BenchError("E_UNREACHABLE", `POST ${root}${where} stopped answering token counts`, { where: "--chat-template" });
    return n;
  };
  if ((await viaMessages(PROBE).catch(() => undefined)) !== undefined) return { method: "tokenize", chat: strict("/tokenize", viaMessages) };
  if ((await viaTemplate(PROBE).catch(() => undefined)) === undefined) return undefined;
  const text = async (prompt: string): Promise<number> => {
    const n = await viaText(prompt).catch(() => undefined);
    if (n === undefined) throw new BenchError("E_UNREACHABLE", `POST ${root}/tokenize stopped answering token counts`, { where: "--chat-template" });
    return n;
  };
  return { method: "apply-template", chat: strict("/apply-template", viaTemplate), text };
}

/** `{count}` (vLLM) or `{tokens:[…]}` (vLLM, SGLang, llama.cpp); a zero count is no answer. */
export function tokenCount(body: unknown): number | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const { count, tokens } = body as { count?: unknown; tokens?: unknown };
  const n = typeof count === "number" ? count : Array.isArray(tokens) ? tokens.length : undefined;
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** POST a JSON body; the parsed answer of a 200, else undefined. Bounded in time and size. */
async function postJson(url: string, headers: Record<string, string>, body: unknown): Promise<unknown> {
  const res = await request(url, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
    headersTimeout: PROBE_DEADLINE_MS,
    bodyTimeout: PROBE_DEADLINE_MS,
    signal: AbortSignal.timeout(PROBE_DEADLINE_MS),
  });
  if (res.statusCode !== 200) {
    await res.body.dump();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_ANSWER_BYTES) {
      res.body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** Runs `task` over `items` with at most `limit` at once. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
