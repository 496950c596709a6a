// Owns the cross-check of server usage.completion_tokens against the client tokenizer's count of
// the text received: differences are reported, never averaged away.

import type { RequestRecord } from "../client/record.js";
import type { LevelSummary } from "../metrics/level.js";
import type { TextTokenizer } from "../workload/tokenizer.js";

/** Cross-checks server usage.completion_tokens against the client tokenizer's count of the text received. */
export function addClientTokenCheck(
  summary: LevelSummary,
  records: readonly RequestRecord[],
  texts: ReadonlyMap<string, string>,
  tokenizer: TextTokenizer,
): void {
  if (texts.size === 0) return;
  let checked = 0;
  let differing = 0;
  let maxAbsDiff = 0;
  for (const r of records) {
    const text = texts.get(r.id);
    const serverCount = r.usage?.completionTokens;
    if (text === undefined || serverCount === undefined) continue;
    const clientCount = tokenizer.count(text);
    checked++;
    const diff = Math.abs(clientCount - serverCount);
    if (diff > 0) differing++;
    maxAbsDiff = Math.max(maxAbsDiff, diff);
  }
  summary.client_token_check = { checked, differing, max_abs_diff: maxAbsDiff, tokenizer: tokenizer.name };
  if (differing > 0) {
    summary.warnings.push(
      `client tokenizer (${tokenizer.name}) counts differ from server usage on ${differing} of ${checked} completions (max ${maxAbsDiff} tokens); re-tokenising text is not always exact, check --tokenizer matches the model`,
    );
  }
}
