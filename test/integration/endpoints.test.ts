// /v1/embeddings and /v1/responses end to end against the simulator (vLLM dialect) on loopback:
// exact prompt counts under --strict, an embedding's latency without a first token, the Responses
// stream's text, reasoning and usage; a server without the route is a recorded 404 with advice.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderConsoleTable } from "../../src/report/console.js";
import { runBenchmark } from "../../src/run/run-benchmark.js";
import { parseRecordLine } from "../../src/results/request-record.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-endpoints-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const records = (dir: string) =>
  readFileSync(join(dir, "requests.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => parseRecordLine(l));
const base = { concurrency: [2], requests: { kind: "count" as const, n: 6 }, inputTokens: 48, outputTokens: 10, strict: true };

describe("other OpenAI endpoints", () => {
  it("embeddings: every prompt counted exactly, latency end to end, no first token and no output", async () => {
    const out = join(tmp, "emb");
    const { summary, verdict } = await runBenchmark({ ...base, endpoint: "embeddings", out, sim: { timing: "simple", ttftMs: 3, perTokenMs: 1 } });
    const level = summary.levels[0];
    expect(verdict.status).toBe("ok");
    expect(level?.requests.completed).toBe(6);
    expect(level?.strict).toMatchObject({ checked: 6, mismatched: 0 });
    expect(level?.ttft_ms).toBeUndefined();
    expect(level?.e2e_ms?.count).toBe(6);
    expect(level?.output_tokens_total).toBe(0);
    expect(level?.input_tokens_per_s).toBeGreaterThan(0);
    // The console shows what an embedding has: prompt throughput and latency, no token timing.
    const table = renderConsoleTable(summary);
    expect(table).toMatch(/in tok\/s +E2E p50 +E2E max/);
    expect(table).not.toMatch(/TTFT|TPOT|out tok\/s/);
    for (const r of records(out)) {
      expect(r.usage?.promptTokens).toBe(48);
      expect(r.firstTokenMs).toBeUndefined();
      expect(r.targetOutputTokens).toBeUndefined();
      expect(r.responseId).toMatch(/^embd-/);
    }
  });

  it("responses: text and reasoning from the named events, the usage of response.incomplete, exact under --strict", async () => {
    const out = join(tmp, "resp");
    const { summary, verdict } = await runBenchmark({
      ...base,
      endpoint: "responses",
      out,
      sim: { timing: "simple", ttftMs: 3, perTokenMs: 1, reasoningTokens: 3 },
    });
    const level = summary.levels[0];
    expect(verdict.status).toBe("ok");
    expect(level?.strict).toMatchObject({ checked: 6, mismatched: 0 });
    expect(level?.reasoning).toEqual({ requests: 6, reasoning_tokens_total: 18, answer_tokens_total: 42 });
    for (const r of records(out)) {
      expect(r.finishReason).toBe("length");
      expect(r.usage).toMatchObject({ promptTokens: 48, completionTokens: 10, reasoningTokens: 3 });
      expect(r.tokenChunkMs).toHaveLength(10);
      expect(r.firstContentMs).toBeGreaterThanOrEqual(r.firstTokenMs ?? Infinity);
    }
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("/v1/responses");
  });

  it("a server without the route: every request a recorded 404, the run a target failure, the advice names --endpoint", async () => {
    const out = join(tmp, "tgi");
    const { summary, verdict } = await runBenchmark({
      ...base,
      endpoint: "responses",
      out,
      sim: { timing: "simple", ttftMs: 1, perTokenMs: 1, dialect: "tgi" },
    });
    expect(verdict.status).toBe("target_failed");
    expect(summary.levels[0]?.errors_by_code).toMatchObject({ http_404: 6 });
  });
});
