// Owns the published shape of one requests.jsonl line (docs/request-record.schema.json): the
// RequestRecord of src/client/record.ts as request-record.ts stores it (snake_case, version 2),
// plus `turn` for multi-turn sessions; and the shape of env.json.
// Documentation and tests validate real records with it; the hot read path keeps its own
// hand-written check (record-reader.ts), which a test holds to the same fields.

import { z } from "zod";
import { RECORD_VERSION } from "./request-record.js";

const ms = z.number().describe("milliseconds since the run's clock origin (monotonic)");
const tokens = z.number().int().nonnegative();

export const requestRecordSchema = z
  .looseObject({
    record_version: z.literal(RECORD_VERSION).describe("version of this record's shape: 2 (snake_case); lines without it are version 1 (camelCase), still read"),
    id: z.string().describe("unique within the run: <level>-<index>, warmups <level>-w<index>, sessions <level>-<session>.<turn>"),
    level: z.number().int().nonnegative(),
    index: z.number().int().nonnegative(),
    warmup: z.boolean(),
    turn: z.number().int().nonnegative().optional().describe("multi-turn sessions: 0 for the first turn"),
    scheduled_ms: ms.describe("when the load schedule said to send: latency is measured from here"),
    sent_ms: ms,
    headers_ms: ms.optional(),
    first_token_ms: ms.optional().describe("first chunk with generated text in any channel (content or reasoning)"),
    first_content_ms: ms.optional().describe("first chunk with answer content"),
    end_ms: ms,
    outcome: z.enum(["ok", "error", "aborted"]),
    error: z.looseObject({ code: z.string(), http_status: z.number().int().optional(), message: z.string() }).optional(),
    finish_reason: z.string().optional(),
    response_id: z.string().optional(),
    usage: z
      .looseObject({
        prompt_tokens: tokens.optional(),
        completion_tokens: z.number().optional(),
        reasoning_tokens: z.number().optional(),
        cached_prompt_tokens: tokens.optional(),
      })
      .optional()
      .describe("as the server reported it"),
    target_input_tokens: tokens,
    target_output_tokens: tokens.optional(),
    output_chars: tokens,
    client_output_tokens: tokens.optional(),
    usage_impossible: z.string().optional(),
    client_retry: z.string().optional(),
    cancelled: z.string().optional().describe("--cancel-rate: why the client gave this request up"),
    token_chunk_ms: z.array(z.number()).describe("arrival time of every chunk that carried generated text"),
  })
  .describe("one line of requests.jsonl: what one request did, as the client observed it");

/** env.json: where and against what a run was made (src/telemetry/environment.ts). */
export const envRecordSchema = z
  .looseObject({
    schema: z.literal("servebench.env/v1").optional().describe("version of this file's shape (absent in runs made before it was added)"),
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
