import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { completionBody, contextLengthExceeded, errorBody, modelNotFound, modelsBody, streamEncoder } from "./vllm-wire.js";

const FIXTURES = new URL("../../test/fixtures/sim", import.meta.url).pathname;
const fixture = (name: string): string => readFileSync(`${FIXTURES}/${name}`, "utf8");
const fixtureIds = { id: "", created: 1795390012, model: "Qwen/Qwen3-8B", systemFingerprint: "vllm-0.30.0-5c1e8a93" };

/** Re-encodes a fixture's token texts with the encoder; the result must equal the fixture byte for byte. */
function reencode(name: string, endpoint: "completions" | "chat", usage: { prompt: number; completion: number } | undefined): [string, string] {
  const body = fixture(name);
  const events = body.split("\n\n").filter((e) => e.length > 0 && e !== "data: [DONE]");
  const chunks = events.map(
    (e) =>
      JSON.parse(e.slice("data: ".length)) as {
        id: string;
        choices: { text?: string; delta?: { content?: string; role?: string }; finish_reason: "length" | "stop" | null }[];
      },
  );
  const first = chunks[0];
  if (first === undefined) throw new Error("empty fixture");
  const enc = streamEncoder(endpoint, { ...fixtureIds, id: first.id });
  let out = endpoint === "chat" ? enc.preamble() : "";
  const tokens = chunks.filter((c) => c.choices.length > 0 && c.choices[0]?.delta?.role === undefined);
  tokens.forEach((c, i) => {
    const choice = c.choices[0];
    const last = i === tokens.length - 1;
    out += enc.token(choice?.text ?? choice?.delta?.content ?? "", choice?.finish_reason ?? null, last && usage === undefined);
  });
  if (usage !== undefined) out += enc.usage(usage.prompt, usage.completion);
  return [out + "data: [DONE]\n\n", body];
}

describe("streamEncoder reproduces the vLLM fixtures byte for byte", () => {
  it.each([
    ["vllm-completions.sse.txt", "completions", undefined],
    ["vllm-completions-usage.sse.txt", "completions", { prompt: 5, completion: 8 }],
    ["vllm-chat.sse.txt", "chat", undefined],
    ["vllm-chat-usage.sse.txt", "chat", { prompt: 20, completion: 8 }],
  ] as const)("%s", (name, endpoint, usage) => {
    const [ours, theirs] = reencode(name, endpoint, usage);
    expect(ours).toBe(theirs);
  });

  it("escapes token text as JSON", () => {
    const enc = streamEncoder("completions", { ...fixtureIds, id: "cmpl-x" });
    const event = enc.token('a "quoted"\n\\ text', null, false);
    const parsed = JSON.parse(event.slice(6)) as { choices: { text: string }[] };
    expect(parsed.choices[0]?.text).toBe('a "quoted"\n\\ text');
  });
});

describe("bodies", () => {
  it("non-streaming bodies match the fixtures", () => {
    const c = fixture("vllm-completions.response.json").trim();
    const cid = (JSON.parse(c) as { id: string }).id;
    expect(completionBody("completions", { ...fixtureIds, id: cid }, " Paris. It is known for its art", "length", 5, 8)).toBe(c);
    const chat = fixture("vllm-chat.response.json").trim();
    const chatId = (JSON.parse(chat) as { id: string }).id;
    expect(completionBody("chat", { ...fixtureIds, id: chatId }, "The capital of France is Paris.", "stop", 20, 8)).toBe(chat);
  });

  it("error bodies match the fixtures", () => {
    expect(errorBody(contextLengthExceeded(40960, 38913, 2048))).toBe(fixture("vllm-error-400-context-length.json").trim());
    expect(errorBody(modelNotFound("gpt-4o"))).toBe(fixture("vllm-error-404-model.json").trim());
  });

  it("/v1/models matches the fixture", () => {
    const f = fixture("vllm-models.json").trim();
    expect(modelsBody("Qwen/Qwen3-8B", 40960, 1795390000, "modelperm-fb2d98787303e00f3b21ea4ff07fe1e3")).toBe(f);
  });
});
