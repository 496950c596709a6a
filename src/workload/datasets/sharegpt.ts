// Owns reading one ShareGPT conversation: {"conversations": [{"from": "human", "value": …},
// {"from": "gpt", "value": …}, …]}. The first human turn is the prompt and the answer after it
// sets the target output length; every (human, answer) pair is kept for multi-turn sessions.

import { BenchError } from "../../errors.js";
import type { DatasetRow, DatasetTurn } from "../dataset.js";
import { typeName } from "../dataset.js";

const USER = new Set(["human", "user"]);
const ASSISTANT = new Set(["gpt", "assistant", "chatgpt", "bard", "bing", "model"]);

/**
 * Returns the row, or undefined when the conversation has no (human, answer) pair to replay
 * (such conversations are skipped and counted, as `vllm bench serve` does). Structural problems
 * (not an object, `conversations` not a list of {from, value}) are E_DATASET errors naming `where`.
 */
export function shareGptRow(value: unknown, where: string): DatasetRow | undefined {
  const fail = (what: string): BenchError => new BenchError("E_DATASET", `${where}: ${what}`, { where });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw fail(`expected a ShareGPT conversation object, got ${typeName(value)}`);
  }
  const conversations = (value as Record<string, unknown>)["conversations"] ?? (value as Record<string, unknown>)["conversation"];
  if (!Array.isArray(conversations)) {
    throw fail(`"conversations" must be an array of {from, value}, got ${typeName(conversations)}`);
  }
  let system: string | undefined;
  const turns: DatasetTurn[] = [];
  let pending: string | undefined;
  conversations.forEach((item: unknown, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw fail(`conversations[${i}] must be an object {from, value}, got ${typeName(item)}`);
    }
    const { from, value: text } = item as Record<string, unknown>;
    if (typeof from !== "string") throw fail(`conversations[${i}].from must be a string, got ${typeName(from)}`);
    if (typeof text !== "string") throw fail(`conversations[${i}].value must be a string, got ${typeName(text)}`);
    const role = from.toLowerCase();
    if (role === "system" && turns.length === 0 && pending === undefined) system = text;
    else if (USER.has(role)) {
      if (pending !== undefined) turns.push({ user: pending }); // two human turns in a row: no answer
      pending = text;
    } else if (ASSISTANT.has(role) && pending !== undefined) {
      turns.push({ user: pending, answer: text });
      pending = undefined;
    }
  });
  const answered = turns.filter((t) => t.answer !== undefined && t.user.length > 0 && t.answer.length > 0);
  const first = answered[0];
  if (first === undefined) return undefined;
  const row: DatasetRow = { prompt: first.user, answer: first.answer as string, turns: answered, where };
  row.messages =
    system === undefined || system === ""
      ? [{ role: "user", content: first.user }]
      : [
          { role: "system", content: system },
          { role: "user", content: first.user },
        ];
  return row;
}
