// Reasoning models: the simulator streams the first N tokens of a chat answer as reasoning in
// each server's field; TTFT counts them, ttfc_ms waits for the answer, usage's reasoning tokens
// are summed beside the answer tokens.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runBenchmark } from "../../src/index.js";
import { parseRecordLine } from "../../src/results/request-record.js";

describe.each(["vllm", "sglang", "llamacpp"] as const)("reasoning answers (%s dialect)", (dialect) => {
  it("TTFT is the first token in any channel; the first answer token and the reasoning tokens are reported", async () => {
    const out = mkdtempSync(join(tmpdir(), "servebench-reasoning-"));
    try {
      const { summary } = await runBenchmark({
        endpoint: "chat",
        concurrency: [2],
        requests: { kind: "count", n: 4 },
        inputTokens: 64,
        outputTokens: 12,
        out: join(out, "r"),
        metrics: false,
        sim: { dialect, reasoningTokens: 8, ttftMs: 5, perTokenMs: 5 },
      });
      const level = summary.levels[0];
      expect(level?.requests.completed).toBe(4);
      // The first answer token comes after the 8 reasoning tokens: TTFC follows TTFT (never a wall-clock gap).
      expect(level?.ttfc_ms?.mean ?? 0).toBeGreaterThanOrEqual(level?.ttft_ms?.mean ?? Infinity);
      const records = readFileSync(join(out, "r", "requests.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => parseRecordLine(l));
      // Every record saw 8 reasoning chunks before its first answer chunk, in stream order.
      for (const r of records) {
        expect(r.firstContentMs).toBeGreaterThanOrEqual(r.firstTokenMs ?? Infinity);
        expect(r.tokenChunkMs.filter((t) => t <= (r.firstContentMs ?? 0)).length).toBeGreaterThanOrEqual(9);
      }
      if (dialect === "llamacpp") {
        // llama.cpp's usage has no reasoning count: nothing is claimed.
        expect(level?.reasoning).toBeUndefined();
      } else {
        expect(records.every((r) => r.usage?.reasoningTokens === 8)).toBe(true);
        expect(level?.reasoning).toEqual({ requests: 4, reasoning_tokens_total: 32, answer_tokens_total: 16 });
        expect(readFileSync(join(out, "r", "summary.md"), "utf8")).toMatch(/reasoning 32 \/ answer 16 tokens/);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
