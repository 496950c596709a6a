// A failed run says so (issue 22): the built CLI against tiny broken servers on 127.0.0.1 port 0.
// Each case checks the exit code (README "Exit codes"), the console line that names the cause,
// and what is (or is not) left on disk. Bounded: every server closes, every CLI has a timeout.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, runCli } from "../helpers/cli.js";
import { completionStream, json, models, startBrokenServer, type BrokenServer } from "../helpers/broken-server.js";

const tmp = mkdtempSync(join(tmpdir(), "servebench-failed-run-"));
const SMALL = ["--input-tokens", "16", "--output-tokens", "4", "--no-metrics", "--no-client-token-check"];
let server: BrokenServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function out(name: string): string {
  return join(tmp, name);
}

function summaryOf(dir: string): {
  run: { verdict: { status: string; reasons: string[] } };
  levels: Array<{
    requests: { sent: number; completed: number; errored: number };
    target_failed?: string;
    stopped_early?: string;
    usage_impossible?: { requests: number };
    output_tokens_total: number;
    errors_by_code: Record<string, number>;
  }>;
} {
  return JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as ReturnType<typeof summaryOf>;
}

function records(dir: string): Array<{ outcome: string; error?: { code: string; message: string } }> {
  return readFileSync(join(dir, "requests.jsonl"), "utf8")
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { outcome: string; error?: { code: string; message: string } });
}

/** Spawns the CLI and hands its stderr to `onStderr` as it grows (to send signals at the right moment). */
function spawnCli(
  args: string[],
  onStderr: (text: string, child: ReturnType<typeof spawn>) => void,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`CLI did not exit within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      onStderr(stderr, child);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe("nothing listening", () => {
  it("with --model: exit 6 at start-up, no directory left", async () => {
    const dead = await startBrokenServer(() => {});
    const url = dead.url;
    await dead.close();
    const dir = out("dead-model");
    const r = await runCli(["run", "--url", url, "--model", "m", "--concurrency", "1", "--requests", "2", "--out", dir, ...SMALL]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/models \(ECONNREFUSED/);
    expect(existsSync(dir)).toBe(false);
  });

  it("without --model: exit 6", async () => {
    const dead = await startBrokenServer(() => {});
    const url = dead.url;
    await dead.close();
    const r = await runCli(["run", "--url", url, "--concurrency", "1", "--requests", "2", "--out", out("dead"), ...SMALL]);
    expect(r.code).toBe(6);
    expect(existsSync(out("dead"))).toBe(false);
  });
});

describe("every request refused", () => {
  it("401: exit 6, the server's message and the API-key advice on the console", async () => {
    server = await startBrokenServer((req, res) => json(res, 401, { error: { message: "Invalid API key provided", type: "invalid_request_error" } }));
    const dir = out("401");
    const r = await runCli(["run", "--url", server.url, "--model", "m", "--concurrency", "1", "--requests", "3", "--out", dir, ...SMALL], {
      env: { OPENAI_API_KEY: "" },
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/level 0: 3 of 3 requests failed: http_401 ×3 \(invalid_request_error: Invalid API key provided\)/);
    expect(r.stderr).toMatch(/hint: .*OPENAI_API_KEY \(not set\).*--api-key-env/);
    expect(r.stderr).not.toMatch(/pass --model to skip model discovery/);
    expect(summaryOf(dir).run.verdict.status).toBe("target_failed");
  });

  it("a --duration level against a server that refuses everything ends after 20 refusals instead of spinning", async () => {
    server = await startBrokenServer((req, res) => json(res, 401, { error: { message: "Invalid API key provided", type: "invalid_request_error" } }));
    const dir = out("401-duration");
    const r = await runCli(["run", "--url", server.url, "--model", "m", "--concurrency", "2", "--duration", "60s", "--out", dir, ...SMALL], {
      env: { OPENAI_API_KEY: "" },
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/the server refused all \d+ requests of the level so far \(HTTP 401: invalid_request_error: Invalid API key provided\)/);
    // Unchecked, a 60 s level wrote ~1,400 records a second; the two slots in flight may add one each.
    const records = readFileSync(join(dir, "requests.jsonl"), "utf8").trim().split("\n");
    expect(records.length).toBeLessThanOrEqual(22);
    expect(summaryOf(dir).run.verdict.status).toBe("target_failed");
  });

  it("401 on model discovery names the key, not --model", async () => {
    server = await startBrokenServer((req, res) => json(res, 401, { error: "Unauthorized" }));
    const r = await runCli(["run", "--url", server.url, "--concurrency", "1", "--requests", "1", "--out", out("401-models"), ...SMALL]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/HTTP 401.*OPENAI_API_KEY.*--api-key-env/);
    expect(r.stderr).not.toMatch(/pass --model/);
  });

  it("all 500: exit 6; --strict with every request failed is no 'strict ✓'", async () => {
    server = await startBrokenServer((req, res) => json(res, 500, { error: { message: "CUDA out of memory" } }));
    const dir = out("500");
    const r = await runCli(["run", "--url", server.url, "--model", "m", "--strict", "--concurrency", "2", "--requests", "4", "--out", dir, ...SMALL]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/http_500 ×4 \(CUDA out of memory\)/);
    expect(r.stderr).toMatch(/the target is failing \(exit 6\)/);
    // --model was given: the note on the failed model listing must not advise passing it.
    expect(r.stderr).toMatch(/note: --model m not checked: GET .*\/v1\/models answered HTTP 500/);
    expect(r.stderr).not.toMatch(/pass --model/);
    const md = readFileSync(join(dir, "summary.md"), "utf8");
    expect(md).not.toMatch(/strict ✓/);
    expect(md).toMatch(/strict: nothing checked/);
  });
});

describe("a model listing that cannot be read, with --model given", () => {
  it("notes it without advising --model (already passed)", async () => {
    server = await startBrokenServer((req, res) => {
      if (req.url === "/v1/models") {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>gateway</html>");
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(completionStream(4, { prompt_tokens: 16, completion_tokens: 4 }));
    });
    const r = await runCli(["run", "--url", server.url, "--model", "m", "--concurrency", "1", "--requests", "1", "--out", out("models-html"), ...SMALL]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: --model m not checked: GET .*\/v1\/models did not answer JSON/);
    expect(r.stderr).not.toMatch(/pass --model/);
  });

  it("an empty listing is noted without advising --model", async () => {
    server = await startBrokenServer((req, res) => {
      if (req.url === "/v1/models") return models(res, []);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(completionStream(4, { prompt_tokens: 16, completion_tokens: 4 }));
    });
    const r = await runCli(["run", "--url", server.url, "--model", "m", "--concurrency", "1", "--requests", "1", "--out", out("models-empty"), ...SMALL]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: --model m not checked: GET .*\/v1\/models listed no model/);
    expect(r.stderr).not.toMatch(/pass --model/);
  });
});

describe("a --model the server does not serve", () => {
  it("warns naming the served models, explains the 404s and exits 6", async () => {
    server = await startBrokenServer((req, res) => {
      if (req.url === "/v1/models") return models(res, ["Qwen/Qwen3-8B"]);
      json(res, 404, { error: { message: "The model `gpt-4` does not exist.", type: "NotFoundError" } });
    });
    const r = await runCli(["run", "--url", server.url, "--model", "gpt-4", "--concurrency", "1", "--requests", "2", "--out", out("wrong-model"), ...SMALL]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/warning: --model "gpt-4" is not among the models .* lists \("Qwen\/Qwen3-8B"\)/);
    expect(r.stderr).toMatch(/The model `gpt-4` does not exist/);
    expect(r.stderr).toMatch(/hint: the server serves "Qwen\/Qwen3-8B", not "gpt-4": pass --model Qwen\/Qwen3-8B/);
  });
});

describe("partial failures and --max-error-rate", () => {
  const flaky = (): Promise<BrokenServer> => {
    let n = 0;
    return startBrokenServer((req, res) => {
      if (req.url === "/v1/models") return models(res, ["m"]);
      // Every fourth request fails.
      if (n++ % 4 === 3) return json(res, 503, { error: "overloaded" });
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(completionStream(4, { prompt_tokens: 16, completion_tokens: 4 }));
    });
  };

  it("some failed, no threshold: exit 0 and the summary says partial", async () => {
    server = await flaky();
    const dir = out("partial");
    const r = await runCli(["run", "--url", server.url, "--model", "m", "--concurrency", "1", "--requests", "8", "--out", dir, ...SMALL]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/some requests failed; no threshold was crossed, so exit 0/);
    expect(summaryOf(dir).run.verdict.status).toBe("partial");
  });

  it("error rate above --max-error-rate: exit 6", async () => {
    server = await flaky();
    const dir = out("max-error-rate");
    const r = await runCli([
      "run",
      "--url",
      server.url,
      "--model",
      "m",
      "--concurrency",
      "1",
      "--requests",
      "8",
      "--max-error-rate",
      "0.1",
      "--out",
      dir,
      ...SMALL,
    ]);
    expect(r.code).toBe(6);
    expect(summaryOf(dir).levels[0]?.target_failed).toMatch(/error rate 25\.0% \(2 of 8\) is above --max-error-rate 10\.0%/);
  });
});

describe("a server that dies mid-level", () => {
  it("backs off, ends the level early saying when, keeps records bounded, exits 6", async () => {
    let answered = 0;
    server = await startBrokenServer((req, res, _body, self) => {
      if (req.url === "/v1/models") return models(res, ["m"]);
      // Start-up probes (/health, /version, /tokenize, ...) must not count towards the 8.
      if (req.url !== "/v1/completions") return json(res, 404, { error: "not found" });
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(completionStream(4, { prompt_tokens: 16, completion_tokens: 4 }));
      // Die once 8 answers were flushed: every later connection is refused.
      if (++answered === 8) setTimeout(() => void self.close(), 100);
    });
    const dir = out("dies");
    const r = await runCli(["run", "--url", server.url, "--model", "m", "--concurrency", "4", "--duration", "60s", "--out", dir, ...SMALL], {
      timeoutMs: 45_000,
    });
    expect(r.code).toBe(6);
    const level = summaryOf(dir).levels[0];
    expect(level?.stopped_early).toMatch(/the server stopped answering at \+[\d.]+ s into the level/);
    expect(level?.target_failed).toBe(level?.stopped_early);
    expect(level?.requests.completed).toBeGreaterThanOrEqual(8);
    // Without back-off a dead server yields about 3,000 records a second (15,000 over the 5 s
    // before the level ends); with it a few hundred, more on a loaded machine: 1,000 keeps margin.
    expect(records(dir).length).toBeLessThan(1000);
  });
});

describe("start-up against a server that trickles /v1/models", () => {
  it("says what it waits for after 2 s; the first Ctrl-C ends it with 130 and no directory", async () => {
    server = await startBrokenServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const timer = setInterval(() => res.write(" "), 200);
      res.on("close", () => clearInterval(timer));
    });
    const dir = out("trickle");
    let sent = false;
    const r = await spawnCli(["run", "--url", server.url, "--concurrency", "1", "--requests", "1", "--out", dir, ...SMALL], (text, child) => {
      if (!sent && /still waiting for GET http:\/\/127\.0\.0\.1:\d+\/v1\/models/.test(text)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted while waiting for GET/);
    expect(existsSync(dir)).toBe(false);
  });

  it("without a Ctrl-C the probe still ends at its deadline (exit 6)", async () => {
    server = await startBrokenServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const timer = setInterval(() => res.write(" "), 200);
      res.on("close", () => clearInterval(timer));
    });
    const r = await runCli(["run", "--url", server.url, "--concurrency", "1", "--requests", "1", "--out", out("trickle-deadline"), ...SMALL], {
      timeoutMs: 40_000,
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/no complete answer within 10000 ms/);
  });
});

describe("a server whose usage is impossible", () => {
  it("marks and counts the requests, warns, uses the chunk count, and --strict fails", async () => {
    server = await startBrokenServer((req, res) => {
      if (req.url === "/v1/models") return models(res, ["m"]);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(completionStream(50, { prompt_tokens: 16, completion_tokens: 3 }));
    });
    const dir = out("usage");
    const r = await runCli([
      "run",
      "--url",
      server.url,
      "--model",
      "m",
      "--no-exact-output",
      "--strict",
      "--concurrency",
      "1",
      "--requests",
      "2",
      "--out",
      dir,
      ...SMALL,
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/the server's usage is wrong on 2 of 2 requests \(.*completion_tokens 3 is below the 50 text chunks streamed\)/);
    const level = summaryOf(dir).levels[0];
    expect(level?.usage_impossible?.requests).toBe(2);
    expect(level?.output_tokens_total).toBe(100);
    expect(readFileSync(join(dir, "requests.jsonl"), "utf8")).toMatch(/"usage_impossible":"usage.completion_tokens 3 is below the 50 text chunks streamed"/);
  });
});

describe("bounds on what a server sends", () => {
  it("an SSE line that never ends fails the request as sse_too_large and the connection is cut", async () => {
    server = await startBrokenServer((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: ");
      const chunk = "x".repeat(64 * 1024);
      const timer = setInterval(() => res.write(chunk), 1);
      res.on("close", () => clearInterval(timer));
    });
    const dir = out("endless-line");
    const r = await runCli(
      ["run", "--url", server.url, "--model", "m", "--concurrency", "1", "--requests", "2", "--max-event-size", "1MiB", "--out", dir, ...SMALL],
      { timeoutMs: 30_000 },
    );
    expect(r.code).toBe(6);
    const recs = records(dir);
    expect(recs.map((x) => x.error?.code)).toEqual(["sse_too_large", "sse_too_large"]);
    expect(recs[0]?.error?.message).toMatch(/an SSE line passed 1 MiB/);
  });

  it("a gzip-encoded stream is named, not 'incomplete'", async () => {
    server = await startBrokenServer((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "content-encoding": "gzip" });
      res.end(gzipSync(completionStream(4, { prompt_tokens: 16, completion_tokens: 4 })));
    });
    const dir = out("gzip");
    await runCli(["run", "--url", server.url, "--model", "m", "--concurrency", "1", "--requests", "1", "--out", dir, ...SMALL]);
    expect(records(dir)[0]?.error).toMatchObject({ code: "content_encoding", message: expect.stringMatching(/gzip-encoded stream/) as unknown });
  });

  it("a 302 is recorded with its Location and the hint", async () => {
    server = await startBrokenServer((req, res) => {
      res.writeHead(302, { location: "https://elsewhere.example/v1/completions" });
      res.end();
    });
    const dir = out("redirect");
    const r = await runCli(["run", "--url", server.url, "--model", "m", "--concurrency", "1", "--requests", "1", "--out", dir, ...SMALL]);
    expect(r.code).toBe(6);
    expect(records(dir)[0]?.error?.message).toMatch(/Location: https:\/\/elsewhere\.example\/v1\/completions.*does not follow redirects/);
  });
});

describe("failed /metrics scrapes", () => {
  it("warn once on the console, with the reason", async () => {
    server = await startBrokenServer((req, res) => {
      if (req.url === "/metrics") return json(res, 500, { error: "metrics exporter crashed" });
      if (req.url === "/v1/models") return models(res, ["m"]);
      res.writeHead(200, { "content-type": "text/event-stream" });
      setTimeout(() => res.end(completionStream(4, { prompt_tokens: 16, completion_tokens: 4 })), 150);
    });
    const args = [
      "run",
      "--url",
      server.url,
      "--model",
      "m",
      "--concurrency",
      "1",
      "--requests",
      "4",
      "--metrics-interval",
      "100ms",
      "--input-tokens",
      "16",
      "--output-tokens",
      "4",
      "--no-client-token-check",
      "--out",
      out("metrics-fail"),
    ];
    const r = await runCli(args);
    expect(r.code).toBe(0);
    // Said once (with its reason: HTTP 500 ..., or a timeout), however many scrapes failed.
    expect(r.stderr.match(/warning: scraping http:\/\/127\.0\.0\.1:\d+\/metrics failed \((HTTP 500|timeout)/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/\/metrics scrapes failed so far in the run/);
  });
});

describe("usage that cannot work is refused before anything starts (exit 2)", () => {
  it("an --out that already holds a run", async () => {
    const dir = out("existing");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "requests.jsonl"), '{"id":"0-0"}\n');
    const r = await runCli(["run", "--sim-timing", "simple", "--concurrency", "1", "--requests", "1", "--out", dir, ...SMALL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .* already holds a run \(requests\.jsonl\): choose another --out, or continue that run with servebench run --resume/);
    expect(readFileSync(join(dir, "requests.jsonl"), "utf8")).toBe('{"id":"0-0"}\n');
  });

  it("--concurrency 1000000000 and --workers 1000", async () => {
    const c = await runCli(["run", "--concurrency", "1000000000", "--out", out("huge-c")], { timeoutMs: 20_000 });
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--concurrency: .*at most 65536/);
    const w = await runCli(["run", "--workers", "1000", "--out", out("huge-w")], { timeoutMs: 20_000 });
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/--workers: at most one worker per core/);
    expect(existsSync(out("huge-c")) || existsSync(out("huge-w"))).toBe(false);
  });

  it("a --url ending in an endpoint path names the base URL and --endpoint", async () => {
    const r = await runCli(["run", "--url", "http://127.0.0.1:9/v1/chat/completions", "--out", out("endpoint-url")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /ends in the endpoint path \/v1\/chat\/completions: pass the server's base URL \(--url http:\/\/127\.0\.0\.1:9\) and --endpoint chat/,
    );
  });

  it("--api-key points at --api-key-env", async () => {
    const r = await runCli(["run", "--api-key", "sk-123"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--api-key: .*environment variable.*--api-key-env/);
  });
});

describe("SLO thresholds set the exit code", () => {
  it("an aggregate --slo term not met exits 7", async () => {
    const dir = out("slo");
    const r = await runCli(["run", "--sim-timing", "simple", "--concurrency", "1", "--requests", "2", "--slo", "ttft_ms.p50<=0.001", "--out", dir, ...SMALL]);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/SLO not met \(exit 7\)/);
    expect(summaryOf(dir).run.verdict.status).toBe("slo_not_met");
  });
});

describe("the process that started servebench goes away", () => {
  it("servebench stops as on SIGTERM instead of running on its own", async () => {
    server = await startBrokenServer((req, res) => {
      if (req.url === "/v1/models") return models(res, ["m"]);
      res.writeHead(200, { "content-type": "text/event-stream" });
      const timer = setTimeout(() => res.end(completionStream(2, { prompt_tokens: 16, completion_tokens: 2 })), 200);
      res.on("close", () => clearTimeout(timer));
    });
    const dir = out("orphan");
    // A parent (like npx) that starts servebench, prints its pid, and is then killed outright.
    const wrapper = `const { spawn } = require("node:child_process");
const c = spawn(process.execPath, ${JSON.stringify([CLI, "run", "--url", server.url, "--model", "m", "--concurrency", "1", "--duration", "120s", "--out", dir, ...SMALL])}, { stdio: "ignore" });
console.log(c.pid);
setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["-e", wrapper], { stdio: ["ignore", "pipe", "ignore"] });
    const pid = await new Promise<number>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
    // Let it get into the level, then kill the parent the way a supervisor would.
    const started = (): boolean => existsSync(join(dir, "requests.jsonl")) && readFileSync(join(dir, "requests.jsonl"), "utf8").length > 0;
    for (let i = 0; i < 150 && !started(); i++) await new Promise((r) => setTimeout(r, 100));
    parent.kill("SIGKILL");
    let alive = true;
    for (let i = 0; i < 150 && alive; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
    }
    if (alive) process.kill(pid, "SIGKILL");
    expect(alive).toBe(false);
    expect(summaryOf(dir).run.verdict.status).toBe("interrupted");
  });
});

describe("npm test leaves no empty run directory", () => {
  it("a failing start in a working directory creates no results/<timestamp>/", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "servebench-cwd-"));
    const r = await runCli(["run", "--url", "http://127.0.0.1:9", "--model", "m", ...SMALL], { cwd });
    expect(r.code).toBe(6);
    expect(existsSync(join(cwd, "results")) ? readdirSync(join(cwd, "results")) : []).toEqual([]);
  });
});
