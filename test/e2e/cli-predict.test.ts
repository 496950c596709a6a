// End-to-end: `predict` takes `run`'s flags, but refuses the ones about real processes and wall
// clocks (sharding, resuming) with one line naming the flag and exit 2, instead of ignoring them.

import { existsSync, mkdtempSync } from "node:fs";
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
});
