// Owns the shape of a decoded stream event, shared by every event parser (chunk-parser for the
// chat/completions dialects, responses-events for the Responses API); types only, no logic.

import type { UsageCounts } from "./record.js";

export interface ChunkEvent {
  kind: "chunk";
  /** Answer text (`choices[0].text` for completions, `delta.content` for chat); "" when none. */
  content: string;
  /** Reasoning text (`delta.reasoning` or `delta.reasoning_content`); "" when none. */
  reasoning: string;
  /** Set only by a non-empty `finish_reason` (TGI completions send "" on every other chunk). */
  finishReason: string | undefined;
  usage: UsageCounts | undefined;
  /** The response id the server put on the chunk (TGI sends ""); correlates with server logs and traces. */
  responseId: string | undefined;
}

export interface ErrorEvent {
  kind: "error";
  /** midstream_error: the server reported an error; bad_sse: the event is not a valid chunk. */
  code: "midstream_error" | "bad_sse";
  message: string;
}

export type StreamEvent = { kind: "done" } | ChunkEvent | ErrorEvent;
