// Integration: servebench's records against the simulator's own ground-truth trace, over
// real HTTP on loopback. Checks causality and exact token accounting, not wall-clock speed.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runBenchmark } from "../../src/run/run-benchmark.js";
import type { RequestRecord } from "../../src/client/record.js";
import { parseRecordLine } from "../../src/results/request-record.js";

interface TraceLine {
  id: string;
  arrivalMs: number;
  emitMs: number[];
  promptTokens: number;
  completionTokens: number;
}

describe("measured timestamps vs the simulator's emission times", () => {
  it("every token is seen after it was sent, each stream token-for-token, usage exact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-gt-"));
    const trace = join(dir, "trace.jsonl");
    const { summary } = await runBenchmark({
      concurrency: [1, 8],
      requests: { kind: "count", n: 8 },
      inputTokens: 40,
      outputTokens: 10,
      out: join(dir, "run"),
      metrics: false,
      sim: { ttftMs: 15, perTokenMs: 3, batchSlowdown: 0, trace },
    });
    const config = JSON.parse(readFileSync(join(dir, "run", "config.json"), "utf8")) as Record<string, unknown>;
    expect(config.embedded_simulator).toBe(true);
    const records = readFileSync(join(dir, "run", "requests.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => parseRecordLine(l) as unknown as RequestRecord);
    const lines = new Map(
      readFileSync(trace, "utf8")
        .trim()
        .split("\n")
        .map((l) => {
          const t = JSON.parse(l) as TraceLine;
          return [t.id, t] as const;
        }),
    );
    expect(records).toHaveLength(16);
    // Record times are relative to the run origin; recover it from one matched request:
    // a request cannot arrive at the server before the client sent it.
    for (const r of records) {
      const t = lines.get(r.responseId ?? "");
      expect(t, `trace line for ${r.id}`).toBeDefined();
      if (!t) continue;
      expect(r.tokenChunkMs).toHaveLength(t.emitMs.length);
      expect(r.usage).toEqual({ promptTokens: t.promptTokens, completionTokens: t.completionTokens });
      expect(t.promptTokens).toBe(40);
      expect(t.completionTokens).toBe(10);
    }
    // Causality on the shared monotonic clock: the per-run offset is the same for every record,
    // so (arrival − emission) must be ≥ 0 for every token once the offset is applied.
    const offsets = records.map((r) => {
      const t = lines.get(r.responseId ?? "") as TraceLine;
      return Math.min(...r.tokenChunkMs.map((ms, i) => ms - (t.emitMs[i] as number)));
    });
    const sent = records.map((r) => {
      const t = lines.get(r.responseId ?? "") as TraceLine;
      return t.arrivalMs - r.sentMs;
    });
    // origin = emission − arrival_rel ≤ … : every token's relative arrival + origin ≥ its emission.
    const originMin = Math.max(...offsets.map((o) => -o));
    const originMax = Math.min(...sent);
    expect(originMin).toBeLessThanOrEqual(originMax);
    expect(summary.levels.map((l) => l.output_tokens_total)).toEqual([80, 80]);
  });
});
