// What the server's own counters should show for a level's requests, the cross-check's client
// side: exact for ok requests, a range for streams the server answered and then failed.
import { describe, expect, it } from "vitest";
import type { RequestRecord } from "../client/record.js";
import { serverCountedTokens } from "./level-extras.js";

const rec = (extra: Partial<RequestRecord>): RequestRecord => ({
  id: "0-0",
  level: 0,
  index: 0,
  warmup: false,
  scheduledMs: 0,
  sentMs: 0,
  endMs: 100,
  tokenChunkMs: [],
  outcome: "ok",
  targetInputTokens: 512,
  targetOutputTokens: 64,
  outputChars: 0,
  ...extra,
});
const chunks = (n: number): number[] => Array.from({ length: n }, (_, i) => 10 + i);
const midstream = { code: "midstream_error", message: "The model produced output that does not match the expected peg-native format (server_error, 500)" };

describe("serverCountedTokens", () => {
  it("counts ok requests' usage exactly", () => {
    const t = serverCountedTokens([rec({ headersMs: 5, firstTokenMs: 10, tokenChunkMs: chunks(64), usage: { promptTokens: 512, completionTokens: 64 } })]);
    expect(t).toMatchObject({ inputTokens: 512, outputTokens: 64, inputTokensMax: 512, outputTokensMax: 64 });
  });

  it("trusts usage as the level does: an absurd count gives way to the client's", () => {
    const t = serverCountedTokens([rec({ headersMs: 5, firstTokenMs: 10, tokenChunkMs: chunks(64), usage: { promptTokens: -5, completionTokens: 1e12 } })]);
    expect(t).toMatchObject({ inputTokens: 512, outputTokens: 64 });
  });

  it("a stream that failed after 30 tokens: 30 certain, up to the 64 requested", () => {
    const t = serverCountedTokens([rec({ outcome: "error", error: midstream, headersMs: 5, firstTokenMs: 10, tokenChunkMs: chunks(30) })]);
    expect(t).toMatchObject({ inputTokens: 512, outputTokens: 30, inputTokensMax: 512, outputTokensMax: 64 });
  });

  it("a stream whose first event was the server's error: its prompt may have been counted", () => {
    const t = serverCountedTokens([rec({ outcome: "error", error: midstream, headersMs: 5 })]);
    expect(t).toMatchObject({ inputTokens: 0, outputTokens: 0, inputTokensMax: 512, outputTokensMax: 64 });
  });

  it("refused requests and warmups count nothing; a cancelled stream counts what arrived", () => {
    const t = serverCountedTokens([
      rec({ outcome: "error", error: { code: "http_400", httpStatus: 400, message: "too long" }, headersMs: 5 }),
      rec({ outcome: "error", error: { code: "connection", message: "ECONNREFUSED" } }),
      rec({ warmup: true, headersMs: 5, firstTokenMs: 10, tokenChunkMs: chunks(64), usage: { promptTokens: 512, completionTokens: 64 } }),
      rec({ outcome: "aborted", cancelled: "2s", headersMs: 5, firstTokenMs: 10, tokenChunkMs: chunks(8) }),
    ]);
    expect(t).toMatchObject({ inputTokens: 512, outputTokens: 8, inputTokensMax: 512, outputTokensMax: 8 });
  });
});
