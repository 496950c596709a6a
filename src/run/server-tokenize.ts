// Owns counting prompt tokens with the server's own tokenizer: POST /tokenize with `messages`
// (vLLM, SGLang: the count after the server's chat template), or, where /tokenize ignores
// `messages` (llama.cpp answers {"tokens":[]}), POST /apply-template then /tokenize of the
// rendered text with `add_special` (so a BOS-adding model's +1 is known before the run).
// A zero count for a non-empty prompt is never accepted. Probed once; a server without either
// is simply not used (auto) or is a set-up error (server).

import { probeAgent, probeRequest } from "../client/probe-request.js";
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
/** A count during the run (a long prompt on a busy server) may take this long. */
const PROBE_DEADLINE_MS = 30_000;
/** The first probe, "Hi" on an idle server at start-up: a server slower than this is not answering. */
const FIRST_PROBE_DEADLINE_MS = 10_000;
/** A token-count answer is small; a server sending more is not answering one. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** Returns a tokenizer when the server can count a chat probe (a positive count), else undefined. */
export async function probeServerTokenize(
  baseUrl: string,
  model: string,
  apiKey: string | undefined,
  signal?: AbortSignal,
): Promise<ServerTokenizer | undefined> {
  const root = baseUrl.replace(/\/v1\/?$/, "").replace(/\/+$/, "");
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiKey !== undefined) headers["authorization"] = `Bearer ${apiKey}`;
  // One agent (connect deadline, reused connections) for the probe and every later count.
  const dispatcher = probeAgent();
  let deadlineMs = FIRST_PROBE_DEADLINE_MS;
  const post = (path: string, body: unknown): Promise<unknown> => postJson(`${root}${path}`, headers, body, { dispatcher, signal, deadlineMs });
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
  // A server that does not answer the first probe at all (a deadline, a dropped connection) is not
  // asked a second time: only one that answered, without a count, may be llama.cpp.
  let answered = true;
  const first = await viaMessages(PROBE).catch(() => ((answered = false), undefined));
  if (first !== undefined) {
    deadlineMs = PROBE_DEADLINE_MS;
    return { method: "tokenize", chat: strict("/tokenize", viaMessages) };
  }
  if (!answered || (await viaTemplate(PROBE).catch(() => undefined)) === undefined) return undefined;
  deadlineMs = PROBE_DEADLINE_MS;
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

/** POST a JSON body; the parsed answer of a 200, else undefined. Bounded: connect and total deadline, capped size, abortable. */
async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  o: { dispatcher: ReturnType<typeof probeAgent>; signal: AbortSignal | undefined; deadlineMs?: number },
): Promise<unknown> {
  const res = await probeRequest(url, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
    totalTimeoutMs: o.deadlineMs ?? PROBE_DEADLINE_MS,
    maxBodyBytes: MAX_ANSWER_BYTES,
    dispatcher: o.dispatcher,
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  });
  if (res.status !== 200) return undefined;
  try {
    return JSON.parse(res.body) as unknown;
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
