// The one flag table drives everything that knows run's flags: registration and parsing, help
// defaults from the schema, predict's refusals, the error map, the shard argv and k8s's local check.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { runConfigSchema } from "../config/run-config.js";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import { flagAttribute, perShardFlags, RUN_FLAGS, runFlagRows, runOnlyFlags } from "../config/run-flag-table.js";
import { shardArgs } from "../scale/local-distributed.js";
import { predictCommand } from "./predict-command.js";
import { addRunFlags, checkRunArgv, defaultShown } from "./run-flags.js";

const run = addRunFlags(new Command("run"));
const helpOf = (flag: string): string => run.options.find((o) => o.long === flag)?.description ?? "";

describe("the run flag table", () => {
  it("registers every row on run, with the schema's default in its help", () => {
    for (const [field, row] of runFlagRows()) {
      if (row.external === true) continue;
      expect(helpOf(row.flag), row.flag).toContain(row.help);
      const parsed = runConfigSchema.shape[field].safeParse(undefined);
      if (
        row.defaultText === undefined &&
        row.kind === "value" &&
        parsed.success &&
        parsed.data !== undefined &&
        !(Array.isArray(parsed.data) && parsed.data.length === 0)
      ) {
        expect(defaultShown(field, row), row.flag).toBeDefined();
        expect(helpOf(row.flag), row.flag).toContain(`(default ${defaultShown(field, row) ?? ""})`);
      }
    }
    expect(helpOf("--input-tokens")).toContain("(default 512)");
    expect(helpOf("--timeout")).toContain("(default 10m)");
    expect(helpOf("--percentiles")).toContain("(default 50,90,95,99)");
  });

  it("names the flag of every field in config errors", () => {
    expect(() => resolveRunConfig({ durationMs: -5 })).toThrow(/--duration:/);
    expect(() => resolveRunConfig({ startAtEpochMs: -1 })).toThrow(/--start-at:/);
    expect(() => resolveRunConfig({ maxEventBytes: 0 })).toThrow(/--max-event-size:/);
    for (const [field, row] of runFlagRows()) if (row.external !== true) expect(row.flag, field).toMatch(/^--[a-z][a-z0-9-]+$/);
  });

  it("makes predict refuse every run-only flag, naming it and why", async () => {
    const refused = runOnlyFlags();
    expect(refused.map((r) => r.flag)).toEqual(
      expect.arrayContaining(["--url", "--wait-ready", "--barrier-timeout", "--metrics-url", "--resume", "--distributed", "--workers"]),
    );
    for (const { flag, attribute } of refused) {
      await expect(predictCommand({ gpu: "H100-SXM", [attribute]: "1" }), flag).rejects.toThrow(new RegExp(`^${flag}: not for predict \\(`));
    }
  });

  it("checks k8s shard flags locally, as run would in every pod", () => {
    expect(() => checkRunArgv(["--concurrency", "abc", "--requests", "lots"], "run flags after --")).toThrow(/--concurrency: "abc" is not a positive integer/);
    expect(() => checkRunArgv(["--requests", "lots"], "run flags after --")).toThrow(/--requests/);
    expect(() => checkRunArgv(["--bogus"], "run flags after --")).toThrow(/run flags after --: unknown option '--bogus'/);
    expect(() => checkRunArgv(["--profile", "sweep", "--rate", "1"], "run flags after --")).toThrow(/run flags after --: /);
    expect(checkRunArgv(["--url", "http://vllm:8000", "--concurrency", "4"], "x")).toMatchObject({ url: "http://vllm:8000", concurrency: [4] });
  });

  it("drops the per-shard flags from --distributed shards and reserves them (and --barrier-dir) for k8s", () => {
    expect(perShardFlags("distributed").sort()).toEqual(["--distributed", "--out", "--shard", "--start-at"]);
    expect(perShardFlags("k8s").sort()).toEqual(["--barrier-dir", "--distributed", "--out", "--shard", "--start-at"]);
    expect(shardArgs(["--out", "x", "--concurrency", "2", "--distributed", "local:2", "--barrier-dir", "/b"]).shard).toEqual([
      "--concurrency",
      "2",
      "--barrier-dir",
      "/b",
    ]);
  });

  it("spells every attribute as commander does", () => {
    expect(flagAttribute(RUN_FLAGS.exactOutput.flag)).toBe("exactOutput");
    expect(flagAttribute(RUN_FLAGS.startAtEpochMs.flag)).toBe("startAt");
  });
});
