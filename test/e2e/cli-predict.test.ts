// End-to-end: `predict` takes `run`'s flags, but refuses the ones about real processes and wall
// clocks (sharding, resuming) with one line naming the flag and exit 2, instead of ignoring them.

import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "servebench-predict-"));

describe("servebench predict", () => {
  const runOnly: [string, string[]][] = [
    ["--distributed", ["--distributed", "local:2"]],
    ["--resume", ["--resume", tmp]],
    ["--shard", ["--shard", "0/2"]],
    ["--workers", ["--workers", "2"]],
    ["--start-at", ["--start-at", "1700000000000"]],
  ];
  for (const [flag, args] of runOnly) {
    it(`refuses ${flag}, a run-only flag, naming it (exit 2, nothing written)`, async () => {
      const out = join(tmp, flag.slice(2));
      const r = await runCli(["predict", "--gpu", "H100-SXM", "--model", "Qwen/Qwen3-8B", "--requests", "2", ...args, "--out", out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^servebench: ${flag}: not for predict \\(`, "m"));
      expect(r.stderr).not.toMatch(/internal error/);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("without --gpu predicts what run starts without --url: the default preset, or the simple timing when asked", async () => {
    const preset = await runCli(["predict", "--concurrency", "1,4", "--requests", "4", "--out", join(tmp, "default")]);
    expect(preset.code).toBe(0);
    expect(preset.stderr).toMatch(/^servebench predict: preset rtx-4070-qwen3-8b-awq: Qwen\/Qwen3-8B-AWQ awq on RTX-4070/m);
    const summary = JSON.parse(readFileSync(join(tmp, "default", "summary.json"), "utf8")) as { levels: { ttft_ms: { p50: number } }[] };
    // A roofline prefill of 512 tokens on the 4070, not the simple timing's fixed 30 ms.
    expect(summary.levels[0]?.ttft_ms.p50).toBeGreaterThan(100);
    const simple = await runCli(["predict", "--sim-timing", "simple", "--concurrency", "1", "--requests", "2", "--out", join(tmp, "simple")]);
    expect(simple.code).toBe(0);
    expect(simple.stderr).toMatch(/^servebench predict: sim-model, simple timing: ttft 30 ms/m);
  });
});
