import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { readWireFixture, sseFixtureNames } from "../../test/helpers/wire-server.js";
import { parseChunk } from "./chunk-parser.js";
import { ChunkReader } from "./chunk-template.js";
import { decodeSse } from "./sse-decoder.js";

const streams = sseFixtureNames().map((name) => ({ name, events: decodeSse([readWireFixture(name)]) }));

/** Reads `events` with one reader, checking each answer against the full parse; returns the fast reads. */
function readAll(events: readonly string[]): number {
  const reader = new ChunkReader();
  for (const data of events) expect(reader.read(data)).toStrictEqual(parseChunk(data));
  return reader.fastReads;
}

const completion = (text: string, id = "cmpl-1", finish: string | null = null): string =>
  `{"id":"${id}","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}],"usage":null}`;

describe("ChunkReader", () => {
  it("gives what parseChunk gives on every event of every wire fixture, in stream order", () => {
    for (const { events } of streams) readAll(events);
  });

  it("reads the token chunks of every dialect's fixtures by template (vLLM, SGLang, TGI, llama.cpp, vllm.rs)", () => {
    const fast = new Map(streams.map(({ name, events }) => [name, readAll(events)]));
    for (const prefix of [
      "vllm-chat.",
      "vllm-completions.",
      "vllm-chat-reasoning",
      "sglang-chat.",
      "tgi-chat.",
      "tgi-completions",
      "llamacpp-chat.",
      "llamacpp-b4748-chat",
      "vllmrs-chat-usage",
    ]) {
      const name = [...fast.keys()].find((n) => n.startsWith(prefix));
      expect(name, prefix).toBeDefined();
      expect(fast.get(name ?? ""), name).toBeGreaterThan(0);
    }
  });

  it("decodes escapes exactly: quotes, backslashes, \\uXXXX, surrogate pairs and lone surrogates", () => {
    const texts = ['say "hi"', "back\\slash", "tab\there\nnew", "é ü", "😀", "\ud83d", "\u2028", "/", ""];
    const events = [completion("first"), ...texts.map((t) => completion(t))];
    // The same texts written with \uXXXX for every non-ASCII character, as some servers do.
    const ascii = events.map((e) => e.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
    expect(readAll(events)).toBe(texts.length);
    expect(readAll(ascii)).toBe(texts.length);
  });

  it("falls back to the full parse for anything off the template: corrupt strings, other fields, truncations", () => {
    const base = completion("abc");
    const variants = [
      completion("x", "cmpl-2"), // another id
      completion("x", "cmpl-1", "stop"), // the finish chunk
      base.replace('"abc"', '"a"b"'),
      base.replace('"abc"', '"a\\x"'),
      base.replace('"abc"', '"a\\u12"'),
      base.replace('"abc"', '"a\u0001"'),
      base.replace('"abc"', '"abc\\"'),
      base.replace('"abc"', "1"),
      base.replace('"abc"', "null"),
      base.replace('"abc"', '"a","text":"b"'),
      base.replace('"abc"', '""'),
      ...Array.from({ length: base.length }, (_, end) => base.slice(0, end)),
    ];
    for (const v of variants) readAll([base, v, base]);
  });

  it("never takes a repeated key or another field for the text", () => {
    // JSON.parse keeps the last "text": the first one is not the chunk's text, so it is no template.
    const repeated = `{"choices":[{"text":"a","text":"b"}]}`;
    expect(readAll([repeated, `{"choices":[{"text":"c","text":"b"}]}`])).toBe(0);
    // A "text" inside logprobs, before the real one and equal to it: the probe tells them apart.
    const nested = (t: string): string => `{"choices":[{"logprobs":{"text":"z"},"text":${JSON.stringify(t)}}]}`;
    expect(readAll([nested("z"), nested("y")])).toBe(1);
  });

  it("stops learning on a stream whose every chunk differs (each try would cost a second parse)", () => {
    const events = Array.from({ length: 40 }, (_, i) => completion(`t${i}`, `cmpl-${i}`));
    const parse = vi.spyOn(JSON, "parse");
    try {
      const reader = new ChunkReader();
      for (const data of events) reader.read(data);
      expect(reader.fastReads).toBe(0);
      expect(parse.mock.calls.length).toBeLessThanOrEqual(events.length + 4);
    } finally {
      parse.mockRestore();
    }
  });

  it("matches the full parse on generated streams: one template, arbitrary texts and corruptions", () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("", '"', "\\", "\n", "\ud800", "\udc00x"));
    const wire = fc.oneof(
      text.map((t) => JSON.stringify(t)),
      fc.tuple(fc.string(), fc.nat(), fc.constantFrom('"', "\\", "\\u", "}", ",", "\u0000")).map(([t, at, bad]) => {
        const lit = JSON.stringify(t);
        const cut = at % (lit.length + 1);
        return lit.slice(0, cut) + bad + lit.slice(cut);
      }),
    );
    const dialect = fc.constantFrom(
      (lit: string) => `{"id":"c","choices":[{"index":0,"text":${lit},"finish_reason":null}],"usage":null}`,
      (lit: string) => `{"id":"c","choices":[{"index":0,"delta":{"content":${lit}},"finish_reason":null}]}`,
      (lit: string) => `{"id":"c","choices":[{"index":0,"delta":{"reasoning":${lit},"reasoning_content":${lit}},"finish_reason":null}]}`,
      (lit: string) => `{"choices":[{"finish_reason":null,"index":0,"delta":{"content": ${lit}}}],"created":1,"id":"x"}`,
    );
    fc.assert(
      fc.property(dialect, fc.array(wire, { minLength: 1, maxLength: 20 }), (shape, literals) => {
        readAll([shape('"first"'), ...literals.map(shape)]);
      }),
      { numRuns: 150 },
    );
  });
});
