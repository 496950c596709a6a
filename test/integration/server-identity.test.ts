// env.json names the server as it names itself, for every dialect that exposes it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runBenchmark } from "../../src/index.js";

const work = mkdtempSync(join(tmpdir(), "servebench-identity-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each([
  ["vllm", /^\d+\.\d+\.\d+/],
  ["sglang", /^sglang \d/],
  ["tgi", /^tgi \d/],
  ["llamacpp", /^llama\.cpp b\d+/],
] as const)("server identity (%s)", (dialect, expected) => {
  it("is recorded in env.json target.server_version", async () => {
    const out = join(work, dialect);
    await runBenchmark({
      concurrency: [1],
      requests: { kind: "count", n: 1 },
      inputTokens: 16,
      outputTokens: 2,
      out,
      sim: { dialect, ttftMs: 1, perTokenMs: 1 },
    });
    const env = JSON.parse(readFileSync(join(out, "env.json"), "utf8")) as { target: { server_version: string | null } };
    expect(env.target.server_version).toMatch(expected);
  });
});
