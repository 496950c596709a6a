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
      // 8 reasoning tokens at 5 ms each come between the first token and the first answer token.
      expect((level?.ttfc_ms?.mean ?? 0) - (level?.ttft_ms?.mean ?? 0)).toBeGreaterThanOrEqual(8 * 5 - 1);
      const records = readFileSync(join(out, "r", "requests.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => parseRecordLine(l) as unknown as { usage?: { reasoningTokens?: number } });
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
