// Owns the vLLM V1 OpenAI-API wire format the simulator speaks: stream events, non-stream bodies,
// error bodies, /v1/models. Key order follows /work/shared/fixtures/vllm-*.{sse.txt,json}.
// Pure string building; never parses anything the client sends back.

import type { PlannedFinish } from "./output-plan.js";

export type Endpoint = "completions" | "chat" | "embeddings" | "responses";

export interface ResponseIds {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
  systemFingerprint: string;
}

export interface StreamEncoder {
  /** Event(s) written just before the first token: the chat role chunk; "" for completions. */
  preamble(): string;
  /** One event per token. `fingerprint`: put system_fingerprint here (last chunk, no usage chunk follows). */
  token(text: string, finishReason: PlannedFinish | null, fingerprint: boolean): string;
  /** A reasoning token (chat with a reasoning parser): `delta.reasoning`, as vLLM ≥ 0.10 names it. */
  reasoning(text: string): string;
  usage(promptTokens: number, completionTokens: number, reasoningTokens?: number): string;
}

export const DONE_EVENT = "data: [DONE]\n\n";

/**
 * Reported by GET /version and inside system_fingerprint: the vLLM version whose wire format the
 * simulator copies (as in the shared fixtures), with a local suffix that marks it as simulated.
 */
export const SIM_VERSION = "0.30.0+servebench.sim1";

const event = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
const PLACEHOLDER = "\u0000sim-text\u0000";

/**
 * Token events are the hot path (thousands per second), so the common chunk is serialised once per
 * request around a placeholder and later filled with JSON.stringify(text): same bytes, no object work.
 */
export function streamEncoder(endpoint: Endpoint, ids: ResponseIds): StreamEncoder {
  const object = endpoint === "chat" ? "chat.completion.chunk" : "text_completion";
  const head = { id: ids.id, object, created: ids.created, model: ids.model };
  const choice = (text: string, finishReason: PlannedFinish | null): Record<string, unknown> =>
    endpoint === "chat"
      ? finishReason === null
        ? { index: 0, delta: { content: text }, logprobs: null, finish_reason: null, token_ids: null }
        : { index: 0, delta: { content: text }, logprobs: null, finish_reason: finishReason, stop_reason: null, token_ids: null }
      : {
          index: 0,
          text,
          logprobs: null,
          finish_reason: finishReason,
          stop_reason: null,
          prompt_token_ids: null,
          token_ids: null,
        };
  const [prefix = "", suffix = ""] = event({ ...head, choices: [choice(PLACEHOLDER, null)] }).split(JSON.stringify(PLACEHOLDER));
  return {
    preamble: () =>
      endpoint === "chat"
        ? event({
            ...head,
            choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
            prompt_token_ids: null,
            prompt_text: null,
          })
        : "",
    token(text, finishReason, fingerprint) {
      if (finishReason === null && !fingerprint) return prefix + JSON.stringify(text) + suffix;
      const chunk: Record<string, unknown> = { ...head, choices: [choice(text, finishReason)] };
      if (fingerprint) chunk["system_fingerprint"] = ids.systemFingerprint;
      return event(chunk);
    },
    reasoning: (text) => event({ ...head, choices: [{ index: 0, delta: { reasoning: text }, logprobs: null, finish_reason: null, token_ids: null }] }),
    usage: (promptTokens, completionTokens, reasoningTokens = 0) =>
      event({
        ...head,
        choices: [],
        usage: {
          ...usageCounts(promptTokens, completionTokens),
          ...(reasoningTokens > 0 ? { completion_tokens_details: { reasoning_tokens: reasoningTokens } } : {}),
        },
        system_fingerprint: ids.systemFingerprint,
      }),
  };
}

const usageCounts = (promptTokens: number, completionTokens: number) => ({
  prompt_tokens: promptTokens,
  total_tokens: promptTokens + completionTokens,
  completion_tokens: completionTokens,
});

/** The non-streaming body (model_dump(): every field, nulls kept). */
export function completionBody(
  endpoint: Endpoint,
  ids: ResponseIds,
  text: string,
  finishReason: PlannedFinish,
  promptTokens: number,
  completionTokens: number,
): string {
  const usage = { ...usageCounts(promptTokens, completionTokens), prompt_tokens_details: null, completion_tokens_details: null };
  const head = { id: ids.id, object: endpoint === "chat" ? "chat.completion" : "text_completion", created: ids.created, model: ids.model };
  if (endpoint === "completions") {
    return JSON.stringify({
      ...head,
      choices: [
        {
          index: 0,
          text,
          logprobs: null,
          finish_reason: finishReason,
          stop_reason: null,
          token_ids: null,
          prompt_logprobs: null,
          prompt_token_ids: null,
          routed_experts: null,
        },
      ],
      service_tier: null,
      system_fingerprint: ids.systemFingerprint,
      usage,
      kv_transfer_params: null,
    });
  }
  const message = { role: "assistant", content: text, refusal: null, annotations: null, audio: null, function_call: null, reasoning: null };
  return JSON.stringify({
    ...head,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason, stop_reason: null, token_ids: null, routed_experts: null }],
    service_tier: null,
    system_fingerprint: ids.systemFingerprint,
    usage,
    prompt_logprobs: null,
    prompt_token_ids: null,
    prompt_text: null,
    kv_transfer_params: null,
    ec_transfer_params: null,
    metrics: null,
  });
}

/**
 * A refused request: vLLM's ErrorResponse fields (`{"error": {message, type, param, code}}`) plus
 * what the error is about, so every dialect can phrase it its own way.
 */
export interface WireError {
  status: number;
  message: string;
  type: string;
  param: string | null;
  kind?: "bad-request" | "unknown-model" | "context" | "prompt-too-long" | "internal" | "overloaded" | "unavailable";
  model?: string;
  promptTokens?: number;
  maxTokens?: number;
  maxModelLen?: number;
}

export function errorBody(error: WireError): string {
  return JSON.stringify({ error: { message: error.message, type: error.type, param: error.param, code: error.status } });
}

export function badRequest(message: string, param: string | null = null): WireError {
  return { status: 400, message, type: "BadRequestError", param, kind: "bad-request" };
}

export function modelNotFound(model: string): WireError {
  return { status: 404, message: `The model \`${model}\` does not exist.`, type: "NotFoundError", param: "model", kind: "unknown-model", model };
}

export function internalError(message = "Internal server error"): WireError {
  return { status: 500, message, type: "InternalServerError", param: null, kind: "internal" };
}

export function overloaded(): WireError {
  return { status: 429, message: "The server is overloaded, please retry later", type: "TooManyRequests", param: null, kind: "overloaded" };
}

export function unavailable(message = "Service Unavailable"): WireError {
  return { status: 503, message, type: "ServiceUnavailableError", param: null, kind: "unavailable" };
}

export function contextLengthExceeded(maxModelLen: number, promptTokens: number, maxTokens: number): WireError {
  const e = badRequest(
    `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${maxTokens} output tokens and ` +
      `your prompt contains at least ${promptTokens} input tokens, for a total of at least ${promptTokens + maxTokens} tokens. ` +
      `Please reduce the length of the input prompt or the number of requested output tokens. ` +
      `(parameter=input_tokens, value=${promptTokens})`,
    "input_tokens",
  );
  return { ...e, kind: "context", promptTokens, maxTokens, maxModelLen };
}

export function promptTooLong(maxModelLen: number, promptTokens: number): WireError {
  const e = badRequest(
    `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${promptTokens} input tokens. ` +
      `Please reduce the length of the input messages. (parameter=input_tokens, value=${promptTokens})`,
    "input_tokens",
  );
  return { ...e, kind: "prompt-too-long", promptTokens, maxTokens: 0, maxModelLen };
}

/** GET /v1/models with one served model. */
export function modelsBody(model: string, maxModelLen: number, createdS: number, permissionId: string): string {
  return JSON.stringify({
    object: "list",
    data: [
      {
        id: model,
        object: "model",
        created: createdS,
        owned_by: "vllm",
        root: model,
        parent: null,
        max_model_len: maxModelLen,
        permission: [
          {
            id: permissionId,
            object: "model_permission",
            created: createdS,
            allow_create_engine: false,
            allow_sampling: true,
            allow_logprobs: true,
            allow_search_indices: false,
            allow_view: true,
            allow_fine_tuning: false,
            organization: "*",
            group: null,
            is_blocking: false,
          },
        ],
      },
    ],
  });
}
