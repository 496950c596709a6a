// Owns the benchmark target: either the user's URL or the embedded simulator started on
// 127.0.0.1 port 0 (options from embedded-sim.ts) and stopped at the end; and discovery of the served model id.

import { probeRequest, ProbeError } from "../client/probe-request.js";
import { BenchError } from "../errors.js";
import { withoutUserinfo } from "../config/redact.js";
import type { RunConfig } from "../config/run-config.js";
import { startSimulator } from "../sim/index.js";
import type { SimulatorOptions } from "../sim/index.js";
import { embeddedSimOptions } from "./embedded-sim.js";
import { createPromptCounter, createTemplateRenderer } from "../workload/chat-template.js";
import type { ChatMessage } from "../workload/request-spec.js";
import type { TextTokenizer } from "../workload/tokenizer.js";

export interface Target {
  baseUrl: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** Opens the user's URL, or starts the embedded simulator (`embedded`: embeddedSimOptions, if already built) with the run's tokenizer. */
export async function openTarget(config: RunConfig, tokenizer: TextTokenizer, embedded?: SimulatorOptions): Promise<Target> {
  // user:password@ is never sent (requests go to the URL's origin) and must never be recorded.
  if (config.url !== undefined) return { baseUrl: withoutUserinfo(config.url).replace(/\/+$/, ""), embedded: false, close: async () => {} };
  const options = embedded ?? embeddedSimOptions(config).options;
  try {
    const sim = await startSimulator({
      ...options,
      // The simulator tokenizes prompts like a real server would (special tokens included), so
      // usage.prompt_tokens is exact. Prefix-cache blocks hash word pieces of the text rather than
      // token ids: encoding every 10k-token prompt a second time would cost the client's CPU.
      promptTokenCounter: (text: string) => tokenizer.count(text) + tokenizer.specialTokensAdded,
      // The simulator plays a server of this model: it applies the model's chat template whatever
      // --chat-template the client counts with (so `none` shows the tokens it leaves out).
      ...simChatTemplate(tokenizer),
      ...simServerTokenizer(tokenizer),
    });
    return { baseUrl: sim.url, embedded: true, close: () => sim.close() };
  } catch (cause) {
    throw new BenchError("E_SIMULATOR", `could not start the embedded simulator: ${(cause as Error).message}`, { cause });
  }
}

/**
 * The simulator counts a chat prompt as template + Σ(per-message + content) tokens. Derived from
 * the tokenizer's own chat template (empty messages rendered and tokenized), so the embedded
 * simulator reports what a server using that template would, for templates that wrap each
 * message the same way (Qwen, Llama 3). Without a template both are 0, as before.
 */
export function simChatTemplate(tokenizer: TextTokenizer): Pick<SimulatorOptions, "chatTemplateTokens" | "chatMessageTokens"> {
  if (tokenizer.chatTemplate === undefined) return {};
  const counter = createPromptCounter(tokenizer, "auto");
  if (counter.method !== "chat-template") return {};
  const one = counter.chatOverhead(["user"]);
  const perMessage = counter.chatOverhead(["user", "user"]) - one;
  // promptTokenCounter adds the BOS once per message; the template writes it once per request.
  return {
    chatTemplateTokens: Math.max(0, one - perMessage),
    chatMessageTokens: Math.max(0, perMessage - tokenizer.specialTokensAdded),
  };
}

/**
 * What a server's own /tokenize and /apply-template answer with (the llamacpp dialect serves
 * them): the tokenizer's ids, its chat template rendered, and as many leading ids as the
 * tokenizer adds (their values are not known here, only their number matters to a count).
 */
export function simServerTokenizer(tokenizer: TextTokenizer): Pick<SimulatorOptions, "chatRender" | "textTokenIds" | "addedTokenIds"> {
  const render = tokenizer.chatTemplate === undefined ? undefined : createTemplateRenderer(tokenizer, tokenizer.chatTemplate);
  return {
    textTokenIds: (text) => tokenizer.encode(text),
    addedTokenIds: new Array<number>(tokenizer.specialTokensAdded).fill(0),
    ...(render === undefined ? {} : { chatRender: (messages) => render(messages.map((m) => ({ role: m.role as ChatMessage["role"], content: m.content }))) }),
  };
}

/** Deadlines and size cap of GET /v1/models: a trickling or flooding server cannot hang start-up. */
const MODELS_TIMEOUT_MS = 10_000;
const MODELS_MAX_BYTES = 4 * 1024 * 1024;

/**
 * GET /v1/models; returns the first model id, how many models are listed, and every listed id.
 * Unreachable → one clear error naming the URL; an HTTP error → advice that fits it (API key for
 * 401/403). Bounded (deadline, body cap) and abortable. `modelGiven`: --model was passed, so no
 * message advises passing it.
 */
export async function discoverModel(
  baseUrl: string,
  apiKey: string | undefined,
  signal?: AbortSignal,
  apiKeyEnv = "OPENAI_API_KEY",
  modelGiven = false,
): Promise<{ id: string; maxModelLen?: number; listed?: number; ids: string[] }> {
  const passModel = modelGiven ? "" : "; pass --model to skip model discovery";
  const url = `${baseUrl.replace(/\/v1$/, "")}/v1/models`;
  let body: unknown;
  try {
    const headers: Record<string, string> = apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
    const res = await probeRequest(url, {
      headers,
      totalTimeoutMs: MODELS_TIMEOUT_MS,
      maxBodyBytes: MODELS_MAX_BYTES,
      ...(signal === undefined ? {} : { signal }),
    });
    if (res.status !== 200) {
      const location = res.status >= 300 && res.status < 400 ? ` to ${String(res.headers["location"] ?? "nowhere")}` : "";
      throw new BenchError(
        "E_UNREACHABLE",
        `GET ${url} answered HTTP ${res.status}${location}${snippet(res.body)}${httpAdvice(res.status, apiKey, apiKeyEnv, modelGiven)}`,
        { where: "--url" },
      );
    }
    body = JSON.parse(res.body);
  } catch (cause) {
    if (cause instanceof BenchError) throw cause;
    if (cause instanceof ProbeError && cause.kind === "aborted") throw new BenchError("E_INTERRUPTED", `interrupted while waiting for GET ${url}`, { cause });
    if (cause instanceof ProbeError) throw new BenchError("E_UNREACHABLE", `cannot reach ${url} (${cause.message})`, { where: "--url", cause });
    throw new BenchError("E_UNREACHABLE", `GET ${url} did not answer JSON (${(cause as Error).message})${passModel}`, {
      where: "--url",
      cause,
    });
  }
  const data = (body as { data?: unknown } | null)?.data;
  const first: unknown = Array.isArray(data) ? data[0] : undefined;
  const id = (first as { id?: unknown } | undefined)?.id;
  if (typeof id !== "string") {
    throw new BenchError("E_UNREACHABLE", `GET ${url} listed no model${modelGiven ? "" : "; pass --model"}`, { where: "--model" });
  }
  const ids = Array.isArray(data)
    ? data.flatMap((m: unknown) => {
        const v = (m as { id?: unknown } | null)?.id;
        return typeof v === "string" ? [v] : [];
      })
    : [];
  const listed = Array.isArray(data) ? { listed: data.length } : {};
  const maxModelLen = contextLimitOf(first);
  return maxModelLen === undefined ? { id, ...listed, ids } : { id, maxModelLen, ...listed, ids };
}

/**
 * A model card's per-request context limit: vLLM/SGLang `max_model_len`, llama.cpp
 * `meta.n_ctx` (the per-slot context: -c divided among the -np slots, not n_ctx_train).
 */
export function contextLimitOf(card: unknown): number | undefined {
  if (typeof card !== "object" || card === null) return undefined;
  const c = card as { max_model_len?: unknown; meta?: { n_ctx?: unknown } | null };
  const n = c.max_model_len ?? (typeof c.meta === "object" && c.meta !== null ? c.meta.n_ctx : undefined);
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, " ").trim().slice(0, 160);
  return flat === "" ? "" : ` (${flat})`;
}

/** "; advice" that fits an HTTP error of GET /v1/models, or "" (--model given: nothing to add). */
function httpAdvice(status: number, apiKey: string | undefined, apiKeyEnv: string, modelGiven: boolean): string {
  if (status === 401 || status === 403) {
    return `; the server wants an API key: servebench sends the one in the environment variable ${apiKeyEnv} (${apiKey === undefined ? "not set" : "set"}); set it, or name the variable with --api-key-env NAME`;
  }
  if (status >= 300 && status < 400) return "; servebench does not follow redirects: point --url at the final address";
  if (status === 404) return `; check --url (the server's base URL, without /v1/...)${modelGiven ? "" : " or pass --model to skip model discovery"}`;
  return modelGiven ? "" : "; pass --model to skip model discovery";
}
