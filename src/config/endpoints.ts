// Owns the names of the OpenAI routes servebench measures: the config's choices, which the
// workload (request shapes) and the client (paths) take from here.

/** Streamed text (completions, chat, responses) or embeddings. */
export const ENDPOINTS = ["completions", "chat", "embeddings", "responses"] as const;
export type Endpoint = (typeof ENDPOINTS)[number];
