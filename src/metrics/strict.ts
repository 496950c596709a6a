// Owns strict-mode checks: every request's prompt and completion token counts (server `usage`)
// against the targets. Mismatches are counted and shown, never hidden or averaged away.

import type { RequestRecord } from "../client/record.js";
import type { Endpoint } from "../workload/request-spec.js";
import { usesMessages } from "../workload/request-spec.js";

export interface StrictMismatch {
  id: string;
  field: "prompt_tokens" | "completion_tokens";
  expected: number;
  /** null when the server sent no usage for this request. */
  actual: number | null;
}

export interface StrictReport {
  checked: number;
  mismatched: number;
  input_mismatches: number;
  output_mismatches: number;
  /** Up to 20 examples, first first. */
  examples: StrictMismatch[];
  note?: string;
}

const MAX_EXAMPLES = 20;

/**
 * Checks completed requests. For chat, prompt tokens are checked only when the targets were
 * counted after the chat template (`templateExact`: rendered from tokenizer_config.json or
 * counted by the server's /tokenize); otherwise the server's template tokens are unknown to the
 * client, only the completion is checked, and the note says so.
 */
export function checkStrict(records: readonly RequestRecord[], endpoint: Endpoint, templateExact = false): StrictReport {
  const report: StrictReport = { checked: 0, mismatched: 0, input_mismatches: 0, output_mismatches: 0, examples: [] };
  const checkPrompt = !usesMessages(endpoint) || templateExact;
  if (!checkPrompt) {
    report.note = "chat endpoint without a chat template: prompt tokens include the server's template, so only completion tokens are checked";
  }
  for (const r of records) {
    if (r.outcome !== "ok") continue;
    report.checked++;
    const found: StrictMismatch[] = [];
    if (checkPrompt) {
      const actual = r.usage?.promptTokens ?? null;
      if (actual !== r.targetInputTokens) {
        found.push({ id: r.id, field: "prompt_tokens", expected: r.targetInputTokens, actual });
        report.input_mismatches++;
      }
    }
    if (r.targetOutputTokens !== undefined) {
      const actual = r.usage?.completionTokens ?? null;
      if (actual !== r.targetOutputTokens) {
        found.push({ id: r.id, field: "completion_tokens", expected: r.targetOutputTokens, actual });
        report.output_mismatches++;
      }
    }
    if (found.length > 0) {
      report.mismatched++;
      for (const m of found) if (report.examples.length < MAX_EXAMPLES) report.examples.push(m);
    }
  }
  return report;
}
