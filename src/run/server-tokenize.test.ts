// The server's own token counts: /tokenize with messages (vLLM, SGLang), llama.cpp's
// /apply-template + /tokenize (its /tokenize ignores `messages`), never a zero count.

import { afterEach, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../sim/index.js";
import { probeServerTokenize, tokenCount } from "./server-tokenize.js";
import { contextLimitOf } from "./target.js";

const sims: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

describe("tokenCount", () => {
  it("takes vLLM's count and a tokens list, and refuses llama.cpp's empty answer to `messages`", () => {
    expect(tokenCount({ count: 12, max_model_len: 4096, tokens: [] })).toBe(12);
    expect(tokenCount({ tokens: [1, 2, 3] })).toBe(3);
    expect(tokenCount({ tokens: [] })).toBeUndefined();
    expect(tokenCount({ count: 0 })).toBeUndefined();
    expect(tokenCount({ count: -1 })).toBeUndefined();
    expect(tokenCount(null)).toBeUndefined();
  });
});

describe("probeServerTokenize against the simulator's llamacpp dialect", () => {
  it("falls back to /apply-template + /tokenize with add_special: the template's and BOS tokens are counted", async () => {
    const sim = await startSimulator({
      dialect: "llamacpp",
      textTokenIds: (text) =>
        text
          .split(/\s+/)
          .filter(Boolean)
          .map((_, i) => i),
      addedTokenIds: [1],
      chatRender: (messages) => `${messages.map((m) => `<s> ${m.role} ${m.content} </s>`).join(" ")} <s> assistant`,
    });
    sims.push(sim);
    const server = await probeServerTokenize(sim.url, "m", undefined);
    expect(server?.method).toBe("apply-template");
    // "<s> user one two three </s> <s> assistant" = 8 words + BOS.
    expect(await server?.chat([{ role: "user", content: "one two three" }])).toBe(9);
    expect(await server?.text?.("one two")).toBe(3);
  });

  it("a server with neither endpoint is not used", async () => {
    const sim = await startSimulator({ dialect: "vllm" });
    sims.push(sim);
    expect(await probeServerTokenize(sim.url, "m", undefined)).toBeUndefined();
  });
});

describe("contextLimitOf", () => {
  it("reads vLLM's max_model_len and llama.cpp's per-slot meta.n_ctx (not n_ctx_train)", () => {
    expect(contextLimitOf({ id: "m", max_model_len: 40960 })).toBe(40960);
    expect(contextLimitOf({ id: "tiny", meta: { n_ctx: 2048, n_ctx_train: 32768 } })).toBe(2048);
    expect(contextLimitOf({ id: "m" })).toBeUndefined();
    expect(contextLimitOf({ id: "m", meta: { n_ctx: 0 } })).toBeUndefined();
  });
});
