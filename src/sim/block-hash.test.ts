import { describe, expect, it } from "vitest";
import { answerBlockHash, generatedTokenIds, promptKeys } from "./block-hash.js";
import type { ChatPromptLayout } from "./block-hash.js";
import { tokenText } from "./output-plan.js";
import { manualSchedulerClock } from "./scheduler-clock.js";
import { VirtualSimulator, answerText } from "./virtual-server.js";

const BS = 16;
const words = (n: number, seed: string): string => Array.from({ length: n }, (_, i) => `${seed}${i}`).join(" ");
const answer = (n: number): string => Array.from({ length: n }, (_, i) => tokenText(i)).join("");
/** Qwen-like template: 3-token header and 2-token footer per message; the generation prompt is the 3-token assistant header. */
const layout = (messages: { role: string; text: string }[]): ChatPromptLayout => ({
  messages: messages.map((m) => ({ ...m, tokens: m.text.split(" ").filter((w) => w.length > 0).length })),
  headerTokens: 3,
  footerTokens: 2,
  generationTokens: 3,
});
const total = (l: ChatPromptLayout): number => l.messages.reduce((a, m) => a + l.headerTokens + m.tokens + l.footerTokens, l.generationTokens);

/** The hashes of a sequence's blocks after its prompt and `generated` tokens were computed. */
function sequenceHashes(l: ChatPromptLayout, computed: number, tokenizer?: (t: string) => number[]): number[] {
  const tokens = total(l);
  const keys = promptKeys(l, tokens, BS, tokenizer);
  const gen = generatedTokenIds(tokenizer);
  const out = [...keys.hashes];
  let parent = out.at(-1) ?? 0;
  for (let j = keys.hashes.length; j < Math.floor(computed / BS); j++) {
    parent = answerBlockHash(parent, j, BS, tokens, keys.tailIds, gen);
    out.push(parent);
  }
  return out;
}

describe("prefix-cache keys of generated tokens", () => {
  const turn1 = layout([{ role: "user", text: words(100, "u") }]);
  const a1 = answer(40);
  const turn2 = layout([
    { role: "user", text: words(100, "u") },
    { role: "assistant", text: a1 },
    { role: "user", text: words(50, "v") },
  ]);

  for (const [name, tokenizer] of [
    ["pseudo ids (no tokenizer)", undefined],
    [
      "a tokenizer's ids",
      (t: string) =>
        t
          .split(" ")
          .filter((w) => w.length > 0)
          .map((w) => w.length * 1000 + w.charCodeAt(0)),
    ],
  ] as const) {
    it(`the next turn repeats [prompt + answer]: its leading blocks are the earlier sequence's, answer included (${name})`, () => {
      const prompt1 = total(turn1); // 3 + 100 + 2 + 3 = 108
      const cached = sequenceHashes(turn1, prompt1 + 40 - 1, tokenizer); // the last sampled token is never computed
      const next = promptKeys(turn2, total(turn2), BS, tokenizer).hashes;
      expect(cached).toHaveLength(Math.floor((prompt1 + 39) / BS)); // 9 blocks: 6 of prompt, 3 holding answer tokens
      expect(next.slice(0, cached.length)).toEqual(cached);
      // Past the answer the conversation differs: the next block is the new user message's.
      expect(next[cached.length]).not.toBe(sequenceHashes(turn1, prompt1 + 40 + BS, tokenizer)[cached.length]);
    });
  }

  it("a different answer shares only the prompt's blocks", () => {
    const other = layout([
      { role: "user", text: words(100, "u") },
      { role: "assistant", text: " something else entirely".repeat(14) },
      { role: "user", text: words(50, "v") },
    ]);
    const cached = sequenceHashes(turn1, total(turn1) + 39);
    const next = promptKeys(other, total(other), BS, undefined).hashes;
    expect(next.slice(0, 6)).toEqual(cached.slice(0, 6));
    expect(next[6]).not.toBe(cached[6]);
  });

  it("the simulated engine serves the second turn's history, answer included, from the prefix cache", async () => {
    const clock = manualSchedulerClock(0);
    // One-word-per-token counting, a Qwen-like template: 3 + 2 tokens per message, 3 for the generation prompt.
    const sim = new VirtualSimulator({
      clock,
      promptTokenCounter: (t) => t.split(" ").filter((w) => w.length > 0).length,
      chatTemplateTokens: 3,
      chatMessageTokens: 5,
    });
    const user1 = { role: "user", content: words(100, "u") };
    const first = sim.request("chat", { messages: [user1], max_tokens: 40, ignore_eos: true });
    clock.advanceBy(60_000);
    const r1 = await first;
    expect(r1.promptTokens).toBe(108);
    const history = [user1, { role: "assistant", content: answerText(r1) }, { role: "user", content: words(50, "v") }];
    const before = sim.engine.prefixCache;
    const second = sim.request("chat", { messages: history, max_tokens: 4, ignore_eos: true });
    clock.advanceBy(60_000);
    const r2 = await second;
    const after = sim.engine.prefixCache;
    expect(r2.promptTokens).toBe(3 + 3 * 5 + 100 + 40 + 50);
    // Prompt 108 + 39 computed answer tokens = 147 → 9 full blocks reused.
    expect(after.hits - before.hits).toBe(9 * BS);
    sim.stop();
  });
});
