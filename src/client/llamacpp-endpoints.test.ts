// The Responses API and /v1/embeddings as a real llama-server (b10587) sends them: recorded bytes
// in test/fixtures/wire/llamacpp-b10587-*, read by the same parsers a run uses.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseChunk } from "./chunk-parser.js";
import type { StreamEvent } from "./chunk-parser.js";
import { readEmbeddings } from "./stream-observer.js";

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/wire/${name}`, import.meta.url), "utf8");
const events = (name: string): StreamEvent[] =>
  fixture(name)
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => parseChunk(l.slice("data: ".length)));
const text = (evs: StreamEvent[], field: "content" | "reasoning"): string => evs.map((e) => (e.kind === "chunk" ? e[field] : "")).join("");

describe("llama-server b10587 /v1/responses", () => {
  it("streams answer deltas that add up to the completed text, usage and cached tokens on response.completed", () => {
    const evs = events("llamacpp-b10587-responses-captured.sse.txt");
    expect(evs.every((e) => e.kind === "chunk")).toBe(true);
    expect(text(evs, "content")).toBe("MemoryWarning]()\n\tbuilder晚饭:-(mapping");
    const last = evs.at(-1);
    expect(last).toMatchObject({ kind: "chunk", finishReason: "stop", usage: { promptTokens: 15, completionTokens: 6, cachedPromptTokens: 14 } });
    expect(evs.filter((e) => e.kind === "chunk" && e.usage !== undefined)).toHaveLength(1);
  });

  it("sends reasoning as response.reasoning_text.delta, apart from the answer", () => {
    const evs = events("llamacpp-b10587-responses-reasoning-captured.sse.txt");
    expect(text(evs, "reasoning").length).toBeGreaterThan(0);
    expect(text(evs, "content").length).toBeGreaterThan(0);
    expect(evs.at(-1)).toMatchObject({ usage: { promptTokens: 11, completionTokens: 15, cachedPromptTokens: 10 } });
  });

  it("reports a failure mid-stream as a bare error object, which is a midstream error", () => {
    const evs = events("llamacpp-b10587-responses-error-midstream-captured.sse.txt");
    expect(evs.at(-1)).toMatchObject({ kind: "error", code: "midstream_error" });
    expect(evs.at(-1)?.kind === "error" && evs.at(-1)).toMatchObject({ message: expect.stringContaining("peg-native format") });
  });
});

describe("llama-server b10587 /v1/embeddings", () => {
  it("counts the input from usage.prompt_tokens, one input or a batch", () => {
    expect(readEmbeddings(fixture("llamacpp-b10587-embeddings-captured.json"))).toMatchObject({ usage: { promptTokens: 2 } });
    expect(readEmbeddings(fixture("llamacpp-b10587-embeddings-batch-captured.json"))).toMatchObject({ usage: { promptTokens: 8 } });
  });

  it("turns the server's error bodies into recorded errors with its message", () => {
    const disabled = readEmbeddings(fixture("llamacpp-b10587-error-501-embeddings-disabled.json"));
    expect(disabled).toMatchObject({ code: "midstream_error", error: expect.stringContaining("--embeddings") });
    const tooLarge = readEmbeddings(fixture("llamacpp-b10587-error-500-embeddings-too-large.json"));
    expect(tooLarge).toMatchObject({ code: "midstream_error", error: expect.stringContaining("too large") });
  });
});
