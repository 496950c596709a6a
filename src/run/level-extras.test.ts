// What the server's own counters saw of a level: the tokens, and the TTFT median its histogram
// holds, which counts cancelled streams that got their first token (the client's ttft_ms leaves
// them out), so the client-vs-server cross-check compares the same requests.
import { describe, expect, it } from "vitest";
import type { RequestRecord } from "../client/record.js";
import { serverCountedTokens } from "./level-extras.js";

function record(i: number, ttftMs: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id: `0-${i}`,
    level: 0,
    index: i,
    warmup: false,
    scheduledMs: 1000 * i,
    sentMs: 1000 * i,
    firstTokenMs: 1000 * i + ttftMs,
    endMs: 1000 * i + ttftMs + 100,
    tokenChunkMs: [1000 * i + ttftMs, 1000 * i + ttftMs + 50],
    outcome: "ok",
    usage: { promptTokens: 10, completionTokens: 2 },
    targetInputTokens: 10,
    outputChars: 4,
    ...extra,
  } as RequestRecord;
}

describe("serverCountedTokens", () => {
  it("takes the TTFT median over every request the server streamed to, cancelled ones included", () => {
    const records = [
      record(0, 180, { outcome: "aborted", cancelled: "cancelled by the client after 2000 ms" }),
      record(1, 185, { outcome: "aborted", cancelled: "cancelled by the client after 2000 ms" }),
      record(2, 190, { outcome: "aborted", cancelled: "cancelled by the client after 2000 ms" }),
      record(3, 350),
      record(4, 500),
    ];
    expect(serverCountedTokens(records)).toMatchObject({ inputTokens: 50, outputTokens: 10, ttftP50Ms: 190 });
    // Without cancellations it is the ok requests' median, as in the level's ttft_ms.
    expect(serverCountedTokens([record(0, 100), record(1, 300)]).ttftP50Ms).toBe(200);
    expect(serverCountedTokens([]).ttftP50Ms).toBeNull();
  });
});
