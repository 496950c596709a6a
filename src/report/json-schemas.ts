// Owns the JSON Schemas published in docs/ for the files users read: summary.json, one
// requests.jsonl record, env.json. Rendered from the zod schemas that read or check them.

import { z } from "zod";
import { envRecordSchema, requestRecordSchema } from "../results/record-schema.js";
import { runSummarySchema } from "../results/summary-schema.js";

export const PUBLISHED_SCHEMAS = {
  "summary.schema.json": runSummarySchema,
  "request-record.schema.json": requestRecordSchema,
  "env.schema.json": envRecordSchema,
} as const;

/** The file's text as committed in docs/. */
export function renderJsonSchema(name: keyof typeof PUBLISHED_SCHEMAS): string {
  return `${JSON.stringify(z.toJSONSchema(PUBLISHED_SCHEMAS[name], { unrepresentable: "any", io: "input" }), null, 2)}\n`;
}
