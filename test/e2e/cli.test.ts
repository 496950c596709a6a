// End-to-end: the built CLI as a user runs it, against the embedded simulator and bad input.

import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "servebench-e2e-"));

function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("servebench run against the embedded simulator", () => {
  it("runs a strict two-level sweep and writes every output file", async () => {
    const out = join(tmp, "strict");
    const r = await runCli([
      "run",
      "--concurrency",
      "1,3",
      "--requests",
      "2x",
      "--input-tokens",
      "64",
      "--output-tokens",
      "12",
      "--strict",
      "--warmup",
      "1",
      "--out",
      out,
      "--sim-per-token-ms",
      "2",
    ]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/TTFT p50/);
    for (const f of ["config.json", "requests.jsonl", "summary.json", "summary.csv", "summary.md", "env.json"]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      schema: string;
      levels: Array<{
        requests: { completed: number; warmup: number };
        strict: { mismatched: number; checked: number };
        output_tokens: { min: number; max: number };
        input_tokens: { min: number; max: number };
      }>;
    };
    expect(summary.schema).toBe("servebench.summary/v1");
    expect(summary.levels.map((l) => l.requests.completed)).toEqual([2, 6]);
    expect(summary.levels.map((l) => l.requests.warmup)).toEqual([1, 1]);
    for (const l of summary.levels) {
      expect(l.strict).toMatchObject({ mismatched: 0, checked: l.requests.completed });
      expect(l.output_tokens).toMatchObject({ min: 12, max: 12 });
      expect(l.input_tokens).toMatchObject({ min: 64, max: 64 });
    }
    const records = readJsonl(join(out, "requests.jsonl"));
    expect(records).toHaveLength(10);
    expect(new Set(records.map((x) => x.id)).size).toBe(10);
    const md = readFileSync(join(out, "summary.md"), "utf8");
    expect(md).toMatch(/\| Concurrency \| QPS \| Prompt TPS/);
    expect(md).toMatch(/strict ✓/);
    const config = readFileSync(join(out, "config.json"), "utf8");
    expect(config).toMatch(/"apiKeyEnv": "OPENAI_API_KEY"/);
  });

  it("never writes the API key anywhere", async () => {
    const out = join(tmp, "secret");
    const secret = "sk-test-DO-NOT-LEAK-1234567890";
    const r = await runCli(
      ["run", "--sim-timing", "simple", "--concurrency", "1", "--requests", "1", "--input-tokens", "16", "--output-tokens", "4", "--out", out],
      {
        env: { OPENAI_API_KEY: secret },
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(secret);
    for (const f of ["config.json", "requests.jsonl", "summary.json", "summary.csv", "summary.md", "env.json"]) {
      expect(readFileSync(join(out, f), "utf8")).not.toContain(secret);
    }
  });

  it("stops on Ctrl-C, keeps finished records and exits 130", async () => {
    const out = join(tmp, "interrupt");
    let sent = false;
    const r = await runCli(
      ["run", "--concurrency", "2", "--requests", "200", "--input-tokens", "16", "--output-tokens", "50", "--out", out, "--sim-per-token-ms", "5"],
      {
        poll: (child) => {
          if (!sent && existsSync(join(out, "requests.jsonl")) && readFileSync(join(out, "requests.jsonl"), "utf8").split("\n").length > 3) {
            sent = true;
            child.kill("SIGINT");
          }
        },
      },
    );
    expect(r.code).toBe(130);
    const records = readJsonl(join(out, "requests.jsonl"));
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(200);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { run: { interrupted: boolean } };
    expect(summary.run.interrupted).toBe(true);
    expect(r.stderr).toMatch(/continue with: servebench run --resume/);
  });

  it("resumes an interrupted sweep: finished levels kept, the cut level rerun, its partial records set aside", async () => {
    const out = join(tmp, "resume");
    let sent = false;
    const args = ["run", "--concurrency", "1,2", "--requests", "6", "--input-tokens", "16", "--output-tokens", "40", "--out", out, "--sim-per-token-ms", "5"];
    const first = await runCli(args, {
      poll: (child) => {
        const path = join(out, "requests.jsonl");
        if (sent || !existsSync(path)) return;
        const levels = readFileSync(path, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as { level: number }).level);
        if (levels.filter((l) => l === 1).length >= 1) {
          sent = true;
          child.kill("SIGINT");
        }
      },
    });
    expect(first.code).toBe(130);
    const second = await runCli(["run", "--resume", out]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/level 0: finished in the earlier attempt, kept/);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      run: { interrupted: boolean };
      levels: Array<{ requests: { completed: number }; interrupted: boolean }>;
    };
    expect(summary.run.interrupted).toBe(false);
    expect(summary.levels.map((l) => [l.requests.completed, l.interrupted])).toEqual([
      [6, false],
      [6, false],
    ]);
    const records = readJsonl(join(out, "requests.jsonl"));
    expect(records).toHaveLength(12);
    expect(new Set(records.map((x) => x.id)).size).toBe(12);
    expect(readJsonl(join(out, "requests.partial-1.jsonl")).length).toBeGreaterThanOrEqual(1);
  });
});

describe("bad input gets one clear line and a non-zero exit", () => {
  let closed: Server;
  let closedPort = 0;
  beforeAll(async () => {
    // Bind then close: a port on which nothing listens.
    closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
  });
  afterAll(() => undefined);

  const cases: Array<[string, string[], RegExp]> = [
    ["unknown flag", ["run", "--concurency", "4"], /unknown option '--concurency'/],
    ["bad list", ["run", "--concurrency", "1,x"], /--concurrency: "x" is not a positive integer/],
    ["bad URL", ["run", "--url", "ftp://example"], /--url/],
    ["missing tokenizer", ["run", "--tokenizer", "/nonexistent/tok"], /--tokenizer|tokenizer/],
    ["both rate and concurrency", ["run", "--rate", "1", "--concurrency", "2"], /--rate: use either concurrency or rate/],
    ["bad duration", ["run", "--duration", "soon"], /--duration: "soon"/],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, async () => {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    });
  }

  it("unreachable server", async () => {
    const r = await runCli(["run", "--url", `http://127.0.0.1:${closedPort}`, "--concurrency", "1", "--requests", "1"]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/models \(ECONNREFUSED\)/);
  });
});
