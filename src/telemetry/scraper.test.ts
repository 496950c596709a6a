// The scraper against real HTTP servers on 127.0.0.1:0: good bodies, hangs, garbage, HTTP errors.
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { monotonicNowMs } from "../clock.js";
import { MetricsScraper } from "./scraper.js";
import { summarizeWindow } from "./window.js";

const vllmV1 = readFileSync(new URL("../../test/fixtures/metrics/vllm-v1.metrics.txt", import.meta.url), "utf8");
const servers: Server[] = [];
const dirs: string[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<string> {
  let n = 0;
  const server = createServer((req, res) => handler(req, res, (n += 1)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tmpFile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "servebench-scraper-"));
  dirs.push(dir);
  return path.join(dir, "metrics.jsonl");
}

describe("MetricsScraper", () => {
  it("scrapes every interval, normalises, and writes one JSON line per scrape", async () => {
    const url = await serve((_req, res) => res.end(vllmV1));
    const out = await tmpFile();
    const originMs = monotonicNowMs();
    const scraper = new MetricsScraper({ url, intervalMs: 40, timeoutMs: 1000, out, originMs });
    scraper.start();
    await until(() => scraper.scrapes().length >= 3);
    await scraper.stop();
    const scrapes = scraper.scrapes();
    expect(scraper.failures).toBe(0);
    expect(scrapes.every((s) => s.ok && s.snapshot.running === 3)).toBe(true);
    expect(scrapes[0]?.tMs).toBeGreaterThanOrEqual(0);
    const lines = (await readFile(out, "utf8"))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(scrapes.length);
    const first = lines[0] as { ok: boolean; dialect: string; canonical: Record<string, unknown>; raw: Record<string, unknown> };
    expect(first).toMatchObject({ ok: true, dialect: "vllm-v1" });
    expect(first.canonical).toMatchObject({ running: 3, kv_usage_gpu: 0.0731, generation_tokens_total: 53805 });
    expect((first.canonical["ttft_hist_s"] as { buckets: unknown[] }).buckets.at(-1)).toEqual(["+Inf", 240]);
    expect(first.raw['vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-8B"}']).toBe(3);
    expect(Object.keys(first.raw).some((k) => k.includes("_created"))).toBe(false);
  });

  it("counts a hanging scrape and a garbage body as failures and keeps going", async () => {
    const url = await serve((_req, res, n) => {
      if (n === 1) return; // never answers
      if (n === 2) return void res.end("<html>502 Bad Gateway</html>");
      if (n === 3) {
        res.statusCode = 500;
        return void res.end("boom");
      }
      res.end(vllmV1);
    });
    const out = await tmpFile();
    const scraper = new MetricsScraper({ url, intervalMs: 30, timeoutMs: 150, out, originMs: monotonicNowMs() });
    scraper.start();
    await until(() => scraper.scrapes().some((s) => s.ok));
    await scraper.stop({ finalScrape: false });
    const errors = scraper.scrapes().flatMap((s) => (s.ok ? [] : [s.error]));
    expect(scraper.failures).toBe(3);
    expect(errors[0]).toBe("timeout after 150 ms");
    expect(errors[1]).toMatch(/^line 1: /);
    expect(errors[2]).toBe("HTTP 500: boom");
    const lines = (await readFile(out, "utf8"))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { ok: boolean });
    expect(lines.map((l) => l.ok)).toEqual([false, false, false, true]);
  });

  it("records connection refused as a failure, and scrapeNow pins an edge", async () => {
    const url = await serve((_req, res) => res.end(vllmV1));
    const dead = servers.pop() as Server;
    await new Promise((r) => dead.close(r));
    const scraper = new MetricsScraper({ url, intervalMs: 10_000, timeoutMs: 200, originMs: monotonicNowMs() });
    const s = await scraper.scrapeNow();
    expect(s.ok).toBe(false);
    expect(s.ok ? "" : s.error).toMatch(/ECONNREFUSED/);
    expect(scraper.failures).toBe(1);
    await scraper.stop();
  });

  it("feeds summarizeWindow: a server restart mid-run gives no negative rate", async () => {
    const totals = [100, 200, 50, 150]; // restart after the second scrape
    const url = await serve((_req, res, n) => {
      res.end(`# TYPE vllm:generation_tokens_total counter\nvllm:generation_tokens_total{engine="0"} ${totals[n - 1] ?? 150}\n`);
    });
    const scraper = new MetricsScraper({ url, intervalMs: 10_000, originMs: monotonicNowMs() });
    for (let i = 0; i < 4; i += 1) await scraper.scrapeNow();
    await scraper.stop({ finalScrape: false });
    const scrapes = scraper.scrapes();
    const s = summarizeWindow(scrapes, scrapes[0]?.tMs ?? 0, scrapes[3]?.tMs ?? 0);
    expect(s.counter_resets).toBe(1);
    const spanS = ((scrapes[3]?.tMs ?? 0) - (scrapes[0]?.tMs ?? 0)) / 1000;
    expect(s.generation_tokens_per_s).toBeCloseTo((100 + 50 + 100) / spanS, 6);
  });

  it("fails stop() with E_IO when metrics.jsonl cannot be written", async () => {
    const url = await serve((_req, res) => res.end(vllmV1));
    const scraper = new MetricsScraper({ url, out: "/nonexistent-dir/metrics.jsonl", originMs: monotonicNowMs() });
    await scraper.scrapeNow();
    await expect(scraper.stop()).rejects.toMatchObject({ code: "E_IO" });
  });

  it("interrupt() aborts a scrape a silent /metrics holds, and stop() then waits for nothing", async () => {
    let asked = 0;
    // Accepts the request and never answers: only our own abort can end this scrape.
    const url = await serve(() => (asked += 1));
    const out = await tmpFile();
    const scraper = new MetricsScraper({ url, intervalMs: 1000, timeoutMs: 600_000, out, originMs: monotonicNowMs() });
    scraper.start();
    await until(() => asked === 1);
    const inFlight = scraper.scrapeNow(); // queued behind the held scrape, as a level's edge is
    scraper.interrupt();
    await scraper.stop();
    expect((await inFlight).ok).toBe(false);
    const lines = (await readFile(out, "utf8")).trim().split("\n");
    expect(lines[0]).toMatch(/"ok":false,"error":"[^"]*interrupted/);
    expect(asked).toBe(1); // nothing was sent after the interruption
  });
});
