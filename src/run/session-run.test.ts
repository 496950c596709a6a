// Tests for running one multi-turn session on a virtual clock: each turn carries the answers
// received, is due exactly think-time after the previous answer, and a failure ends the session.
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../load/virtual-clock.js";
import { createPromptCounter } from "../workload/chat-template.js";
import type { ChatMessage, SessionSpec } from "../workload/request-spec.js";
import type { TextTokenizer } from "../workload/tokenizer.js";
import { runSession } from "./session-run.js";

const words: TextTokenizer = {
  name: "words",
  source: "dir",
  count: (t) => (t === "" ? 0 : t.trim().split(/\s+/).length),
  encode: () => [],
  decode: () => "",
  specialTokensAdded: 0,
  countWithSpecialText: () => 0,
  chatTemplate: undefined,
  templateTokens: {},
};

const session: SessionSpec = {
  index: 4,
  system: [],
  turns: [
    { user: "first question", targetOutputTokens: 3 },
    { user: "second", targetOutputTokens: 5 },
    { user: "third one here", targetOutputTokens: 2 },
  ],
};

async function run(failAt?: number, maxModelLen?: number) {
  const clock = new VirtualClock(0);
  const sends: Array<{ turn: number; dueMs: number; sentAtMs: number; messages: ChatMessage[]; inputTokens: number }> = [];
  const turns = await runSession(session, 100, {
    clock,
    signal: new AbortController().signal,
    thinkTimeMs: 1000,
    counter: createPromptCounter(words, "none"),
    maxModelLen,
    send: async (spec, turn, dueMs, messages) => {
      sends.push({ turn, dueMs, sentAtMs: clock.nowMs(), messages, inputTokens: spec.inputTokens });
      await clock.sleepUntil(clock.nowMs() + 250 * (turn + 1)); // each turn takes longer
      return { ok: turn !== failAt, text: `answer ${turn}` };
    },
  });
  return { turns, sends };
}

describe("runSession", () => {
  it("sends each turn think-time after the previous answer, with the received answers as history", async () => {
    const { turns, sends } = await run();
    expect(turns).toBe(3);
    // turn 0 at 100, ends 350; turn 1 due 1350, ends 1850; turn 2 due 2850.
    expect(sends.map((s) => [s.dueMs, s.sentAtMs])).toEqual([
      [100, 100],
      [1350, 1350],
      [2850, 2850],
    ]);
    expect(sends[2]?.messages).toEqual([
      { role: "user", content: "first question" },
      { role: "assistant", content: "answer 0" },
      { role: "user", content: "second" },
      { role: "assistant", content: "answer 1" },
      { role: "user", content: "third one here" },
    ]);
    expect(sends.map((s) => s.inputTokens)).toEqual([2, 2 + 2 + 1, 2 + 2 + 1 + 2 + 3]);
  });

  it("ends the session after a failed turn, and before a turn that would overflow the context", async () => {
    expect((await run(1)).turns).toBe(2);
    const clipped = await run(undefined, 10);
    expect(clipped.turns).toBe(2); // turn 2: 10 input tokens + 2 output > 10
  });
});
