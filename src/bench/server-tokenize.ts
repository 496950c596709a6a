// Owns counting prompt tokens with the server's own POST /tokenize (vLLM, SGLang): the exact
// count after the server's chat template, whatever template it was started with. Probed once;
// a server without the endpoint simply is not used (auto) or is a set-up error (server).

import { probeAgent, probeRequest } from "../client/probe-request.js";
import { BenchError } from "../errors.js";
import type { ChatMessage } from "../workload/request-spec.js";

export interface ServerTokenizer {
  chat(messages: readonly ChatMessage[]): Promise<number>;
}

/** Returns a tokenizer when POST <root>/tokenize answers a chat probe with a count, else undefined. */
export async function probeServerTokenize(baseUrl: string, model: string, apiKey: string | undefined, signal?: AbortSignal): Promise<ServerTokenizer | undefined> {
  const url = `${baseUrl.replace(/\/v1\/?$/, "").replace(/\/+$/, "")}/tokenize`;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiKey !== undefined) headers["authorization"] = `Bearer ${apiKey}`;
  // Bounded (connect and total deadline, capped body): a trickling /tokenize cannot hang the run.
  const dispatcher = probeAgent();
  const count = async (messages: readonly ChatMessage[], totalTimeoutMs = 30_000): Promise<number | undefined> => {
    const res = await probeRequest(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ model, messages, add_generation_prompt: true }),
      totalTimeoutMs,
      maxBodyBytes: 16 * 1024 * 1024,
      dispatcher,
      ...(signal === undefined ? {} : { signal }),
    });
    if (res.status !== 200) return undefined;
    const body = JSON.parse(res.body) as { count?: unknown; tokens?: unknown };
    if (typeof body.count === "number") return body.count;
    return Array.isArray(body.tokens) ? body.tokens.length : undefined;
  };
  try {
    if ((await count([{ role: "user", content: "Hi" }], 10_000)) === undefined) return undefined;
  } catch {
    return undefined;
  }
  return {
    chat: async (messages) => {
      const n = await count(messages).catch(() => undefined);
      if (n === undefined) throw new BenchError("E_UNREACHABLE", `POST ${url} stopped answering token counts`, { where: "--chat-template" });
      return n;
    },
  };
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
