// --cancel-rate: a seeded share of requests is given up as impatient users do, after a time or a
// number of streamed chunks. They are their own outcome (aborted, cancelled), out of every latency
// distribution, counted; the server sees the disconnect and frees the request.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveRunConfig, runBenchmark, startSimulator } from "../../src/index.js";
import { cancelsThis } from "../../src/run/run-level.js";
import { parseRecordLine } from "../../src/results/request-record.js";
import { generateReport } from "../../src/report/generate-report.js";

const work = mkdtempSync(join(tmpdir(), "servebench-cancel-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Line {
  outcome: string;
  cancelled?: string;
  tokenChunkMs: number[];
  id: string;
}

describe("cancellation", () => {
  it("picks the same share of requests for the same seed, near the asked rate", () => {
    const config = resolveRunConfig({ cancelRate: 0.2, cancelAfter: { kind: "tokens", tokens: 5 } });
    const picked = Array.from({ length: 10_000 }, (_, i) => cancelsThis(config, 0, `0-${i}`)).filter((c) => c !== undefined).length;
    expect(picked / 10_000).toBeGreaterThan(0.18);
    expect(picked / 10_000).toBeLessThan(0.22);
    expect(cancelsThis(config, 0, "0-7")).toEqual(cancelsThis(resolveRunConfig({ cancelRate: 0.2, cancelAfter: { kind: "tokens", tokens: 5 } }), 0, "0-7"));
  });

  it("cancelled after N chunks: aborted with the reason, out of the latency distributions, freed on the server", async () => {
    const sim = await startSimulator({ ttftMs: 5, perTokenMs: 5 });
    try {
      const out = join(work, "tokens");
      const { summary } = await runBenchmark({
        url: sim.url,
        model: "sim-model",
        concurrency: [4],
        requests: { kind: "count", n: 40 },
        inputTokens: 32,
        outputTokens: 30,
        cancelRate: 0.3,
        cancelAfter: { kind: "tokens", tokens: 6 },
        out,
      });
      const records = readFileSync(join(out, "requests.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => parseRecordLine(l) as unknown as Line);
      const cancelled = records.filter((r) => r.cancelled !== undefined);
      expect(cancelled.length).toBeGreaterThan(0);
      for (const r of cancelled) {
        expect(r.outcome).toBe("aborted");
        expect(r.tokenChunkMs.length).toBe(6);
        expect(r.cancelled).toMatch(/after 6 streamed chunks/);
      }
      const level = summary.levels[0];
      expect(level?.cancelled).toEqual({ requests: cancelled.length, rate: 0.3, after: "6 tokens" });
      expect(level?.requests.aborted).toBe(cancelled.length);
      expect(level?.requests.errored).toBe(0);
      expect(level?.ttft_ms?.count).toBe(40 - cancelled.length);
      // The server counted every cancelled stream as aborted (its connection went away).
      expect(sim.stats().finished.abort).toBe(cancelled.length);
      expect(readFileSync(join(out, "summary.md"), "utf8")).toMatch(new RegExp(`cancelled ${cancelled.length} after 6 tokens`));
      // The report's headline says how many the client gave up, beside the error rate they are not part of.
      await generateReport({ paths: [out], outDir: join(work, "tokens-report"), png: false });
      expect(readFileSync(join(work, "tokens-report", "report.html"), "utf8")).toContain(`0 failed · ${cancelled.length} cancelled by the client`);
    } finally {
      await sim.close();
    }
  });

  it("--cancel-rate needs --cancel-after", () => {
    expect(() => resolveRunConfig({ cancelRate: 0.5 })).toThrow(/--cancel-after|--cancel-rate/);
  });
});
