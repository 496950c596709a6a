// Integration: a server without a Prometheus endpoint (vLLM.rs) is benchmarked normally; scraping
// stops after the first 404 instead of failing every second, and every level says why its
// server-side columns are empty, once in the console.

import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runBenchmark } from "../../src/run/run-benchmark.js";
import { renderConsoleTable } from "../../src/report/console.js";

describe("a server with no /metrics", () => {
  it("stops scraping after the 404 and says so on every level", async () => {
    const out = mkdtempSync(join(tmpdir(), "servebench-no-metrics-"));
    const infos: string[] = [];
    const { summary } = await runBenchmark(
      {
        sim: { ttftMs: 5, perTokenMs: 20, batchSlowdown: 0, dialect: "vllm-rs" },
        metricsIntervalMs: 100,
        clientTokenCheck: false,
        out,
        concurrency: [1, 2],
        requests: { kind: "count", n: 4 },
        inputTokens: 16,
        outputTokens: 8,
      },
      { onProgress: (e) => (e.kind === "info" ? infos.push(e.message) : undefined) },
    );
    expect(summary.levels.map((l) => l.requests.completed)).toEqual([4, 4]);
    for (const l of summary.levels) {
      expect(l.warnings.some((w) => /has no http:\/\/127\.0\.0\.1:\d+\/metrics \(HTTP 404\)/.test(w))).toBe(true);
      expect(l.server?.generation_tokens_per_s ?? null).toBeNull();
    }
    expect(infos.filter((m) => /scraping stopped/.test(m))).toHaveLength(1);
    // Each level lasts ≥ 160 ms at 100 ms intervals: polling on would have left several lines per level.
    const lines = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n");
    // (A scrape before the 404 may have timed out on a cold connection; nothing follows the 404.)
    expect(lines.filter((l) => l.includes('"error":"HTTP 404')).length).toBe(1);
    expect(lines.at(-1)).toMatch(/"ok":false,"error":"HTTP 404/);
    expect(renderConsoleTable(summary).match(/has no http/g)).toHaveLength(1);
  });

  it("a llama-server started without --metrics (HTTP 501) stops scraping too, and says how to enable it", async () => {
    const body = readFileSync(new URL("../fixtures/telemetry/llamacpp-error-501-metrics-disabled.json", import.meta.url));
    const disabled = createServer((_req, res) => res.writeHead(501, { "content-type": "application/json" }).end(body));
    await new Promise<void>((resolve) => disabled.listen(0, "127.0.0.1", resolve));
    const metricsUrl = `http://127.0.0.1:${(disabled.address() as AddressInfo).port}/metrics`;
    try {
      const out = mkdtempSync(join(tmpdir(), "servebench-metrics-501-"));
      const { summary } = await runBenchmark({
        sim: { ttftMs: 5, perTokenMs: 20, batchSlowdown: 0, dialect: "llamacpp" },
        metricsUrl,
        metricsIntervalMs: 100,
        clientTokenCheck: false,
        out,
        concurrency: [1],
        requests: { kind: "count", n: 4 },
        inputTokens: 16,
        outputTokens: 8,
      });
      expect(summary.levels[0]?.warnings.some((w) => w.includes("(HTTP 501: not enabled; llama.cpp: start llama-server with --metrics)"))).toBe(true);
      // Polling on would leave a line every 100 ms of a level that lasts ≥ 160 ms.
      const lines = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n");
      expect(lines.filter((l) => l.includes('"error":"HTTP 501')).length).toBe(1);
    } finally {
      await new Promise((resolve) => disabled.close(resolve));
    }
  });
});
