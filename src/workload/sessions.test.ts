// Tests for multi-turn sessions: synthetic and recorded turns, and the history each turn carries.
import { beforeAll, describe, expect, it } from "vitest";
import type { SessionSpec } from "./request-spec.js";
import { buildSessions, recordedTurns, turnMessages } from "./sessions.js";
import { loadTokenizer, type TextTokenizer } from "./tokenizer.js";

let tokenizer: TextTokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer();
});

describe("sessions", () => {
  it("builds T synthetic turns of exact lengths per session", () => {
    const sessions = buildSessions({ tokenizer, count: 2, turns: 3, seed: 1, startIndex: 0, inputLength: (k) => 10 + k, outputLength: (k) => 100 + k });
    expect(sessions.map((s) => s.turns.length)).toEqual([3, 3]);
    sessions[1]?.turns.forEach((turn, t) => {
      expect(tokenizer.count(turn.user)).toBe(10 + 3 + t);
      expect(turn.targetOutputTokens).toBe(100 + 3 + t);
    });
  });

  it("uses recorded turns, their answers' lengths as targets, and at most T of them", () => {
    const row = {
      turns: [{ user: "Q1", answer: "A one two" }, { user: "Q2", answer: "B" }, { user: "Q3" }],
      messages: [{ role: "system" as const, content: "S" }],
    };
    const [session] = buildSessions({ tokenizer, count: 1, turns: 2, seed: 0, startIndex: 0, dataset: [row], outputLength: () => 7 });
    expect(session?.system).toEqual([{ role: "system", content: "S" }]);
    expect(session?.turns).toEqual([
      { user: "Q1", targetOutputTokens: tokenizer.count("A one two") },
      { user: "Q2", targetOutputTokens: tokenizer.count("B") },
    ]);
    const fromMessages = recordedTurns({
      messages: [
        { role: "system", content: "S" },
        { role: "user", content: "u1" },
        { role: "assistant", content: "a1" },
        { role: "user", content: "u2" },
      ],
    });
    expect(fromMessages).toEqual({ system: [{ role: "system", content: "S" }], turns: [{ user: "u1", answer: "a1" }, { user: "u2" }] });
  });

  it("turn t carries every earlier user turn and the answers actually received", () => {
    const session: SessionSpec = {
      index: 0,
      system: [{ role: "system", content: "S" }],
      turns: [
        { user: "u0", targetOutputTokens: 1 },
        { user: "u1", targetOutputTokens: 1 },
        { user: "u2", targetOutputTokens: 1 },
      ],
    };
    expect(turnMessages(session, 0, [])).toEqual([
      { role: "system", content: "S" },
      { role: "user", content: "u0" },
    ]);
    expect(turnMessages(session, 2, ["got0", "got1"])).toEqual([
      { role: "system", content: "S" },
      { role: "user", content: "u0" },
      { role: "assistant", content: "got0" },
      { role: "user", content: "u1" },
      { role: "assistant", content: "got1" },
      { role: "user", content: "u2" },
    ]);
  });
});
