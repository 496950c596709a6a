// Owns building multi-turn sessions: T user turns per conversation, from synthetic prompts
// (per-turn lengths from the input distribution) or from recorded conversations (ShareGPT turns,
// or a row's messages with assistant answers). The history itself is assembled at send time.

import { BenchError } from "../errors.js";
import type { DatasetRow, DatasetTurn } from "./dataset.js";
import type { LengthSampler } from "./length-sampler.js";
import type { ChatMessage, SessionSpec, SessionTurn } from "./request-spec.js";
import { makeSyntheticPrompts } from "./synthetic.js";
import type { TextTokenizer } from "./tokenizer.js";

export interface BuildSessionsOptions {
  tokenizer: TextTokenizer;
  count: number;
  turns: number;
  seed: number;
  /** Index of the first session; session s turn t uses length index s·turns + t. */
  startIndex: number;
  /** New user tokens per turn (synthetic). */
  inputLength?: LengthSampler | undefined;
  outputLength?: LengthSampler | undefined;
  /** Recorded conversations, cycled; a row's own answers set the targets. */
  dataset?: readonly DatasetRow[] | undefined;
}

/**
 * @example buildSessions({ tokenizer, count: 8, turns: 4, seed: 1, startIndex: 0, inputLength: () => 256, outputLength: () => 64 })
 */
export function buildSessions(options: BuildSessionsOptions): SessionSpec[] {
  const { count, turns, startIndex } = options;
  return Array.from({ length: count }, (_, i) => {
    const s = startIndex + i;
    if (options.dataset !== undefined) return fromRow(options, i, options.dataset[s % options.dataset.length] as DatasetRow);
    const sessionTurns: SessionTurn[] = Array.from({ length: turns }, (_, t) => {
      const k = s * turns + t;
      const length = options.inputLength?.(k);
      if (length === undefined) throw new BenchError("E_BAD_CONFIG", "`inputTokens` is required for synthetic sessions", { where: "inputTokens" });
      const [user] = makeSyntheticPrompts({ tokenizer: options.tokenizer, count: 1, inputTokens: length, seed: options.seed, startIndex: k }) as [string];
      return { user, targetOutputTokens: options.outputLength?.(k) };
    });
    return { index: i, system: [], turns: sessionTurns };
  });
}

function fromRow(options: BuildSessionsOptions, index: number, row: DatasetRow): SessionSpec {
  const { system, turns } = recordedTurns(row);
  const fallback = (t: number): number | undefined => options.outputLength?.((options.startIndex + index) * options.turns + t);
  const sessionTurns = turns.slice(0, options.turns).map((turn, t): SessionTurn => ({
    user: turn.user,
    targetOutputTokens:
      (t === 0 ? row.outputTokens : undefined) ?? (turn.answer === undefined ? fallback(t) : Math.max(1, options.tokenizer.count(turn.answer))),
  }));
  return { index, system, turns: sessionTurns };
}

/** The user turns of a row: ShareGPT turns, or user messages (answers = the assistant message after each). */
export function recordedTurns(row: DatasetRow): { system: ChatMessage[]; turns: DatasetTurn[] } {
  if (row.turns !== undefined && row.turns.length > 0) {
    const system = row.messages?.filter((m) => m.role === "system") ?? [];
    return { system, turns: row.turns };
  }
  const messages = row.messages ?? (row.prompt === undefined ? [] : [{ role: "user" as const, content: row.prompt }]);
  const system = messages.filter((m, i) => m.role === "system" && messages.slice(0, i).every((p) => p.role === "system"));
  const turns: DatasetTurn[] = [];
  messages.forEach((m, i) => {
    if (m.role !== "user") return;
    const next = messages[i + 1];
    turns.push(next?.role === "assistant" ? { user: m.content, answer: next.content } : { user: m.content });
  });
  if (turns.length === 0) {
    const where = row.where ?? "dataset row";
    throw new BenchError("E_DATASET", `${where}: a session needs at least one user message`, { where });
  }
  return { system, turns };
}

/**
 * The messages of turn `t`: system, then every earlier (user, answer received) pair, then the new
 * user message. `answers[k]` is the text actually received for turn k, not the recorded one.
 */
export function turnMessages(session: SessionSpec, t: number, answers: readonly string[]): ChatMessage[] {
  const messages: ChatMessage[] = session.system.map((m) => ({ ...m }));
  for (let k = 0; k < t; k++) {
    messages.push({ role: "user", content: (session.turns[k] as SessionTurn).user });
    messages.push({ role: "assistant", content: answers[k] ?? "" });
  }
  messages.push({ role: "user", content: (session.turns[t] as SessionTurn).user });
  return messages;
}
