// Conformance against llama.cpp: the same servebench CLI runs against the real llama-server
// (shared/real-servers/llamacpp, started here on a free port) and against the simulator's
// `llamacpp` dialect in its own process, asserting exact counts from llama.cpp's usage, no
// client-caused errors and the documented exit codes. The real server skips, saying why, only
// where its binary cannot run.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "../helpers/cli.js";
import { cleanUpModels, startLlamaServer, type LlamaServer } from "../helpers/llama-server.js";
import { parseRecordLine } from "../../src/results/request-record.js";

const N_CTX = 2048;
/** Per test: the real server on a loaded 2-core machine; every run inside is bounded by runCli's own timeout. */
const T = 180_000;
const SLOTS = 8;
/**
 * What the server itself reported, as the server said it: llama.cpp's output parser rejects some
 * of a random-weight model's token soups mid-stream ("…does not match the expected … format",
 * about 1 request in 8 here). Every other failure would be the client's doing.
 */
const serverReported = (x: RecordLine): boolean => x.error?.code === "midstream_error" && /does not match the expected .* format/.test(x.error.message);
const clientCaused = (recs: readonly RecordLine[]): unknown[] =>
  recs.filter((x) => x.outcome !== "ok" && !serverReported(x)).map((x) => ({ id: x.id, ...x.error }));

interface Target {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

interface RecordLine {
  id: string;
  outcome: string;
  warmup: boolean;
  error?: { code: string; message: string };
  targetInputTokens: number;
  targetOutputTokens?: number;
  usage?: { promptTokens?: number; completionTokens?: number; cachedPromptTokens?: number };
  clientRetry?: string;
  turn?: number;
}

interface LevelLine {
  requests: { sent: number; completed: number; errored: number };
  strict?: { checked: number; mismatched: number };
  usage_cache?: { requests: number; hit_rate: number; cached_prompt_tokens: number; prompt_tokens: number };
  prefix_cache?: { best_case_hit_rate: number; measured_hit_rate: number | null };
  server?: { dialect: string | null; prefix_cache_hit_rate: number | null; prompt_tokens: number | null; generation_tokens: number | null };
  by_turn?: { first: { requests: number }; later: { requests: number } };
  output_tokens_total: number;
  input_tokens_total: number;
  warnings: string[];
  cross_check?: string[];
}

function records(dir: string): RecordLine[] {
  return readFileSync(join(dir, "requests.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => parseRecordLine(l) as unknown as RecordLine);
}

function summary(dir: string): { run: Record<string, unknown>; levels: LevelLine[] } {
  return JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as { run: Record<string, unknown>; levels: LevelLine[] };
}

/** The simulator as a server of its own: `servebench simulate --dialect llamacpp` on a free port. */
function startSimulator(): Promise<Target> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      CLI,
      "simulate",
      "--dialect",
      "llamacpp",
      "--port",
      "0",
      "--print-url",
      "--model",
      "tiny-llama",
      "--max-model-len",
      String(N_CTX),
      "--ttft-ms",
      "5",
      "--per-token-ms",
      "2",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`simulator did not print its URL: ${out}`)), 30_000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1] === undefined) return;
      clearTimeout(timer);
      resolve({
        url: m[1],
        pid: child.pid as number,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
    child.on("exit", (code) => reject(new Error(`simulator exited (${code}): ${out}`)));
  });
}

const real = await startLlamaServer({ slots: SLOTS, ctxPerSlot: N_CTX });
if (!real.ok) console.warn(`llama.cpp conformance: real llama-server SKIPPED: ${real.reason}`);
else console.warn(`llama.cpp conformance: real llama-server ${real.server.url} (pid ${real.server.pid}): ${real.server.note}`);

const targets: Array<[string, () => Promise<Target>, boolean]> = [
  ["real llama-server", async () => (real.ok ? real.server : Promise.reject(new Error("unreachable"))), !real.ok],
  ["simulator --dialect llamacpp", startSimulator, false],
];

afterAll(async () => {
  if (real.ok) await real.server.stop();
  cleanUpModels();
});

describe.each(targets)("llama.cpp conformance: %s", (_name, open, skip) => {
  let target: Target;
  let work: string;
  beforeAll(async () => {
    if (skip) return;
    target = await open();
    work = mkdtempSync(join(tmpdir(), "servebench-llamacpp-run-"));
  }, T);
  afterAll(async () => {
    if (skip) return;
    if (target !== (real.ok ? real.server : undefined)) await target.stop();
    rmSync(work, { recursive: true, force: true });
  }, T);
  const run = (name: string, args: string[], timeoutMs = 150_000) => runCli(["run", "--url", target.url, "--out", join(work, name), ...args], { timeoutMs });

  it.skipIf(skip)(
    "completions, strict, 3 levels × 16: exact usage, no client-caused errors, exit 0",
    async () => {
      const r = await run("completions", [
        "--endpoint",
        "completions",
        "--concurrency",
        "1,4,8",
        "--requests",
        "16",
        "--input-tokens",
        "200",
        "--output-tokens",
        "16",
        "--strict",
      ]);
      expect(r.code, r.stderr).toBe(0);
      const recs = records(join(work, "completions"));
      expect(recs).toHaveLength(48);
      expect(clientCaused(recs)).toEqual([]);
      for (const x of recs.filter((r) => r.outcome === "ok")) {
        expect(x.usage?.promptTokens, x.id).toBe(x.targetInputTokens);
        expect(x.usage?.completionTokens, x.id).toBe(16);
      }
      const s = summary(join(work, "completions"));
      expect(s.run["input_token_count"]).toBe("server-tokenize");
      s.levels.forEach((l, level) => {
        expect(l.strict).toMatchObject({ checked: l.requests.completed, mismatched: 0 });
        expect(l.server?.dialect).toBe("llamacpp");
        // Lagging counters, bracketed by scrapes before and after the level: totals agree exactly
        // (the server also counts what it generated for a request its output parser then failed).
        const sent = recs.filter((x) => x.id.startsWith(`${level}-`));
        expect(l.server?.prompt_tokens).toBe(sent.reduce((n, x) => n + x.targetInputTokens, 0));
        // Failed requests included (what the server generated before failing): no disagreement.
        expect(l.cross_check ?? []).toEqual([]);
        if (l.requests.errored === 0) {
          expect(l.server?.generation_tokens).toBe(l.output_tokens_total);
        } else {
          expect(l.server?.generation_tokens).toBeGreaterThanOrEqual(l.output_tokens_total);
          expect(l.server?.generation_tokens).toBeLessThanOrEqual(16 * sent.length);
        }
      });
      const config = JSON.parse(readFileSync(join(work, "completions", "config.json"), "utf8")) as { connection?: { retry?: string } };
      expect(config.connection?.retry).toMatch(/reused keep-alive socket/);
      const env = JSON.parse(readFileSync(join(work, "completions", "env.json"), "utf8")) as {
        target?: { server_version?: string; version?: { build_info?: string } };
      };
      expect(env.target?.server_version).toMatch(/^llama\.cpp b\d+/);
      expect(env.target?.version?.build_info).toMatch(/^b\d+/);
    },
    T,
  );

  it.skipIf(skip)(
    "chat, strict: the server's count (/apply-template + /tokenize), not 0",
    async () => {
      const r = await run("chat", [
        "--endpoint",
        "chat",
        "--concurrency",
        "1,4,8",
        "--requests",
        "16",
        "--input-tokens",
        "200",
        "--output-tokens",
        "16",
        "--strict",
      ]);
      expect(r.code, r.stderr).toBe(0);
      const recs = records(join(work, "chat"));
      expect(clientCaused(recs)).toEqual([]);
      for (const x of recs) expect(x.targetInputTokens, x.id).toBe(200);
      for (const x of recs.filter((r) => r.outcome === "ok")) expect(x.usage?.promptTokens, x.id).toBe(200);
      const s = summary(join(work, "chat"));
      expect(s.run["input_token_count"]).toBe("server-tokenize");
      for (const l of s.levels) expect(l.strict).toMatchObject({ checked: l.requests.completed, mismatched: 0 });
      expect(r.stdout + r.stderr).toMatch(/apply-template/);
    },
    T,
  );

  it.skipIf(skip)(
    "multi-turn chat: later turns hit the prompt cache; summary.md and report show the turn split",
    async () => {
      const r = await run("turns", [
        "--endpoint",
        "chat",
        "--turns",
        "3",
        "--concurrency",
        "2",
        "--requests",
        "4",
        "--input-tokens",
        "120",
        "--output-tokens",
        "12",
        "--strict",
      ]);
      expect(r.code, r.stderr).toBe(0);
      const recs = records(join(work, "turns"));
      expect(clientCaused(recs)).toEqual([]);
      const ok = recs.filter((x) => x.outcome === "ok");
      for (const x of ok) expect(x.usage?.promptTokens, x.id).toBe(x.targetInputTokens);
      const later = ok.filter((x) => (x.turn ?? 0) > 0);
      expect(later.length).toBeGreaterThan(0);
      expect(later.every((x) => (x.usage?.cachedPromptTokens ?? 0) > 0)).toBe(true);
      const level = summary(join(work, "turns")).levels[0] as LevelLine;
      expect(level.by_turn?.later.requests).toBeGreaterThanOrEqual(later.length);
      expect(readFileSync(join(work, "turns", "summary.md"), "utf8")).toMatch(/## First vs later turns/);
      const rep = await runCli(["report", join(work, "turns"), "--out", join(work, "turns-report")], { timeoutMs: 120_000 });
      expect(rep.code, rep.stderr).toBe(0);
      const md = readFileSync(join(work, "turns-report", "report.md"), "utf8");
      expect(md).toMatch(/First vs later turns/);
      expect(md).toMatch(/Prefix cache/);
      expect(md).toMatch(/llama\.cpp b\d+/);
    },
    T,
  );

  it.skipIf(skip)(
    "shared prefix: the responses' cached tokens agree with llama.cpp's own counters; best case shown",
    async () => {
      const r = await run("prefix", [
        "--endpoint",
        "completions",
        "--concurrency",
        "2",
        "--requests",
        "16",
        "--prefix-groups",
        "2",
        "--prefix-tokens",
        "128",
        "--suffix-tokens",
        "32",
        "--output-tokens",
        "8",
        "--strict",
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(clientCaused(records(join(work, "prefix")))).toEqual([]);
      const level = summary(join(work, "prefix")).levels[0] as LevelLine;
      expect(level.usage_cache?.requests).toBe(level.requests.completed);
      expect(level.usage_cache?.hit_rate).toBeGreaterThan(0.3);
      // llama.cpp's prompt_tokens_cached_total / (prompt_tokens_total + cached) over the level.
      expect(level.server?.prefix_cache_hit_rate).toBeCloseTo(level.usage_cache?.hit_rate ?? -1, 3);
      expect(level.prefix_cache?.best_case_hit_rate).toBeGreaterThan(0);
      const md = readFileSync(join(work, "prefix", "summary.md"), "utf8");
      expect(md).toMatch(/## Prefix cache/);
      expect(md).toMatch(/Best case/);
    },
    T,
  );

  it.skipIf(skip)(
    "a prompt beyond n_ctx: --strict refuses (exit 2); without it the prompt is shortened with a warning",
    async () => {
      const strict = await run("long-strict", [
        "--endpoint",
        "completions",
        "--concurrency",
        "1",
        "--requests",
        "2",
        "--input-tokens",
        "3000",
        "--output-tokens",
        "8",
        "--strict",
      ]);
      expect(strict.code, strict.stderr).toBe(2);
      expect(strict.stderr).toMatch(/max_model_len 2048/);
      const loose = await run("long", ["--endpoint", "completions", "--concurrency", "1", "--requests", "2", "--input-tokens", "3000", "--output-tokens", "8"]);
      expect(loose.code, loose.stderr).toBe(0);
      expect(loose.stdout + loose.stderr).toMatch(/shortened to fit the server's max_model_len 2048/);
      expect(clientCaused(records(join(work, "long")))).toEqual([]);
    },
    T,
  );

  it.skipIf(skip)(
    "--extra-body reaches the server: cache_prompt false leaves nothing cached on a repeated prompt",
    async () => {
      const args = [
        "--endpoint",
        "completions",
        "--concurrency",
        "1",
        "--requests",
        "4",
        "--prompt",
        "The quick brown fox jumps over the lazy dog again and again. ".repeat(12),
        "--output-tokens",
        "4",
      ];
      const cached = await run("cached", args);
      expect(cached.code, cached.stderr).toBe(0);
      expect((summary(join(work, "cached")).levels[0] as LevelLine).usage_cache?.hit_rate).toBeGreaterThan(0.5);
      const uncached = await run("uncached", [...args, "--extra-body", '{"cache_prompt":false}']);
      expect(uncached.code, uncached.stderr).toBe(0);
      expect((summary(join(work, "uncached")).levels[0] as LevelLine).usage_cache?.cached_prompt_tokens).toBe(0);
    },
    T,
  );
});

describe("llama.cpp conformance: a model whose tokenizer adds BOS", () => {
  it.skipIf(!real.ok)(
    "completions strict: the +1 is known before the run (exact counts, exit 0)",
    async () => {
      const bos = await startLlamaServer({ slots: 2, ctxPerSlot: 1024, addBos: true });
      if (!bos.ok) throw new Error(bos.reason);
      const work = mkdtempSync(join(tmpdir(), "servebench-llamacpp-bos-"));
      try {
        const r = await runCli(
          [
            "run",
            "--url",
            bos.server.url,
            "--out",
            join(work, "r"),
            "--endpoint",
            "completions",
            "--concurrency",
            "2",
            "--requests",
            "8",
            "--input-tokens",
            "100",
            "--output-tokens",
            "8",
            "--strict",
          ],
          { timeoutMs: 120_000 },
        );
        expect(r.code, r.stderr).toBe(0);
        const recs = records(join(work, "r"));
        expect(clientCaused(recs)).toEqual([]);
        for (const x of recs) expect(x.targetInputTokens, x.id).toBe(101);
        for (const x of recs.filter((y) => y.outcome === "ok")) expect(x.usage?.promptTokens, x.id).toBe(101);
      } finally {
        await bos.server.stop();
        rmSync(work, { recursive: true, force: true });
      }
    },
    T,
  );
});
