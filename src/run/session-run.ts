// Owns running one multi-turn session: each turn sends the history with the answers actually
// received, after the think time. Turn k+1 is due at (end of turn k) + think time, and its
// latency is measured from that due time. A failed turn ends the session (its history is gone).

import type { Clock } from "../clock.js";
import type { PromptCounter } from "../workload/chat-template.js";
import type { ChatMessage, RequestSpec, SessionSpec } from "../workload/request-spec.js";
import { turnMessages } from "../workload/sessions.js";

export interface TurnResult {
  ok: boolean;
  /** The answer received (content, as the client kept it). */
  text: string | undefined;
}

export interface SessionRunOptions {
  clock: Clock;
  signal: AbortSignal;
  thinkTimeMs: number;
  counter: PromptCounter;
  maxModelLen: number | undefined;
  /** Sends one turn due at `scheduledAtMs`; resolves when it has finished. */
  send(spec: RequestSpec, turn: number, scheduledAtMs: number, messages: ChatMessage[]): Promise<TurnResult>;
}

/**
 * @example
 * await runSession(session, firstDueAtMs, { clock, signal, thinkTimeMs: 2000, counter, maxModelLen, send });
 * @returns the number of turns sent
 */
export async function runSession(session: SessionSpec, firstDueAtMs: number, options: SessionRunOptions): Promise<number> {
  const { clock, signal } = options;
  const answers: string[] = [];
  let dueAtMs = firstDueAtMs;
  for (let t = 0; t < session.turns.length; t++) {
    if (signal.aborted) return t;
    const turn = session.turns[t] as SessionSpec["turns"][number];
    const messages = turnMessages(session, t, answers);
    const inputTokens = options.counter.chat(messages);
    // The history outgrew the context: the conversation would be rejected, so it ends here.
    if (options.maxModelLen !== undefined && inputTokens + (turn.targetOutputTokens ?? 1) > options.maxModelLen) return t;
    await clock.sleepUntil(dueAtMs, signal);
    if (signal.aborted) return t;
    const spec: RequestSpec = { index: session.index, messages, inputTokens, targetOutputTokens: turn.targetOutputTokens };
    const result = await options.send(spec, t, dueAtMs, messages);
    if (!result.ok) return t + 1;
    answers.push(result.text ?? "");
    dueAtMs = clock.nowMs() + options.thinkTimeMs;
  }
  return session.turns.length;
}
