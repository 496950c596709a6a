// End-to-end: the built CLI against scripted servers that misbehave in specific ways.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { eventParts, readWireFixture, startWireServer, type WireServer } from "../helpers/wire-server.js";

const tmp = mkdtempSync(join(tmpdir(), "servebench-e2e-servers-"));
let server: WireServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function notFound(): { status: number; parts: Array<{ data: string }> } {
  return { status: 404, parts: [{ data: '{"error":"not found"}' }] };
}

describe("strict mode against a server whose usage differs from the targets", () => {
  it("lists the mismatches and exits 3", async () => {
    // The fixture reports prompt_tokens 5 and completion_tokens 8 whatever was asked.
    const body = readWireFixture("vllm-completions-usage.sse.txt");
    server = await startWireServer((req) => (req.url.endsWith("/completions") ? { parts: eventParts(body) } : notFound()));
    const out = join(tmp, "strict-mismatch");
    const r = await runCli([
      "run",
      "--url",
      server.url,
      "--model",
      "Qwen/Qwen3-8B",
      "--strict",
      "--concurrency",
      "2",
      "--requests",
      "4",
      "--input-tokens",
      "64",
      "--output-tokens",
      "8",
      "--out",
      out,
      "--no-metrics",
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--strict: some requests did not have the exact token counts/);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      levels: Array<{ strict: { mismatched: number; input_mismatches: number; output_mismatches: number } }>;
    };
    expect(summary.levels[0]?.strict).toMatchObject({ mismatched: 4, input_mismatches: 4, output_mismatches: 0 });
    expect(readFileSync(join(out, "summary.md"), "utf8")).toMatch(/\| 0-\d \| prompt_tokens \| 64 \| 5 \|/);
  });
});

describe("a server that sends non-JSON SSE data", () => {
  it("records a request error with a code and finishes the run", async () => {
    server = await startWireServer((req) => (req.url.endsWith("/completions") ? { parts: [{ data: 'data: {"id": broken\n\n' }] } : notFound()));
    const out = join(tmp, "bad-sse");
    const r = await runCli(["run", "--url", server.url, "--model", "m", "--concurrency", "1", "--requests", "2", "--out", out, "--no-metrics"]);
    expect(r.code).toBe(6); // every request failed: the target is failing (README "Exit codes")
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      levels: Array<{ requests: { errored: number }; errors_by_code: Record<string, number> }>;
    };
    expect(summary.levels[0]?.requests.errored).toBe(2);
    expect(summary.levels[0]?.errors_by_code).toEqual({ bad_sse: 2 });
    expect(r.stdout).toMatch(/2 of 2 requests failed/);
  });
});

describe("a server that stalls mid-stream", () => {
  it("cuts the request at --timeout and records it, never hangs", async () => {
    const events = eventParts(readWireFixture("vllm-completions-usage.sse.txt"));
    server = await startWireServer((req) => (req.url.endsWith("/completions") ? { parts: events.slice(0, 3), then: "stall" } : notFound()));
    const out = join(tmp, "stall");
    const r = await runCli([
      "run",
      "--url",
      server.url,
      "--model",
      "m",
      "--concurrency",
      "1",
      "--requests",
      "1",
      "--timeout",
      "500ms",
      "--out",
      out,
      "--no-metrics",
    ]);
    expect(r.code).toBe(6); // every request failed: the target is failing (README "Exit codes")
    const record = JSON.parse(readFileSync(join(out, "requests.jsonl"), "utf8").trim()) as {
      record_version: number;
      outcome: string;
      error: { code: string };
      token_chunk_ms: number[];
    };
    expect(record.outcome).toBe("error");
    expect(record.error.code).toBe("timeout");
    expect(record.token_chunk_ms).toHaveLength(3);
    expect(record.record_version).toBe(2);
  });
});
