// Owns the published shape of one requests.jsonl line (docs/request-record.schema.json): the
// RequestRecord of src/client/record.ts as it is stored, plus `turn` for multi-turn sessions.
// Documentation and tests validate real records with it; the hot read path keeps its own
// hand-written check (record-reader.ts), which a test holds to the same fields.

import { z } from "zod";

const ms = z.number().describe("milliseconds since the run's clock origin (monotonic)");
const tokens = z.number().int().nonnegative();

export const requestRecordSchema = z
  .looseObject({
    id: z.string().describe("unique within the run: <level>-<index>, warmups <level>-w<index>, sessions <level>-<session>.<turn>"),
    level: z.number().int().nonnegative(),
    index: z.number().int().nonnegative(),
    warmup: z.boolean(),
    turn: z.number().int().nonnegative().optional().describe("multi-turn sessions: 0 for the first turn"),
    scheduledMs: ms.describe("when the load schedule said to send: latency is measured from here"),
    sentMs: ms,
    headersMs: ms.optional(),
    firstTokenMs: ms.optional().describe("first chunk with generated text in any channel (content or reasoning)"),
    firstContentMs: ms.optional().describe("first chunk with answer content"),
    endMs: ms,
    tokenChunkMs: z.array(z.number()).describe("arrival time of every chunk that carried generated text"),
    outcome: z.enum(["ok", "error", "aborted"]),
    error: z.looseObject({ code: z.string(), httpStatus: z.number().int().optional(), message: z.string() }).optional(),
    finishReason: z.string().optional(),
    responseId: z.string().optional(),
    usage: z
      .looseObject({ promptTokens: tokens.optional(), completionTokens: z.number().optional(), reasoningTokens: z.number().optional(), cachedPromptTokens: tokens.optional() })
      .optional()
      .describe("as the server reported it"),
    targetInputTokens: tokens,
    targetOutputTokens: tokens.optional(),
    outputChars: tokens,
    clientOutputTokens: tokens.optional(),
    usageImpossible: z.string().optional(),
    clientRetry: z.string().optional(),
    cancelled: z.string().optional().describe("--cancel-rate: why the client gave this request up"),
  })
  .describe("one line of requests.jsonl: what one request did, as the client observed it");

/** env.json: where and against what a run was made (src/telemetry/environment.ts). */
export const envRecordSchema = z
  .looseObject({
    started_at: z.string(),
    hostname: z.string(),
    os: z.looseObject({ platform: z.string(), type: z.string(), release: z.string(), version: z.string(), arch: z.string() }),
    cpu: z.looseObject({ model: z.string().nullable(), count: z.number().int().positive() }),
    memory_total_bytes: z.number().positive(),
    node_version: z.string(),
    servebench_version: z.string().nullable(),
    git_commit: z.string().optional(),
    config: z.unknown(),
    server_cmd: z.string().optional(),
    target: z
      .looseObject({
        base_url: z.string(),
        version: z.unknown(),
        version_error: z.string().optional(),
        server_version: z.string().nullable(),
        models: z.array(z.looseObject({ id: z.string(), max_model_len: z.number().nullable() })).nullable(),
        models_error: z.string().optional(),
      })
      .optional(),
    gpu: z.looseObject({ source: z.string() }),
  })
  .describe("env.json: when, where and against what a run was made");
