// Per-level barrier across shards, from the built CLI against the simulator: with
// --distributed local:2 both shards start the second level together even though one of them has
// nothing to do in the first; a shard whose partner never reaches the barrier gives up after
// --barrier-timeout, records it, does not wait for that shard again, carries on and exits 0; a
// shard that fails before its first level leaves the barrier, so its partner does not wait for it.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../../src/client/record.js";
import type { RunSummary } from "../../src/results/run-summary.js";
import type { ShardInfo } from "../../src/scale/shard-file.js";
import { runCli } from "../helpers/cli.js";
import { parseRecordLine } from "../../src/results/request-record.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-scale-barrier-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Concurrency 1 over two shards leaves shard 1 idle in level 0: without a barrier it would start
// level 1 at once, while shard 0 is still sending level 0 (4 requests × 20 tokens × 10 ms, one at a time).
const LOAD = [
  "--concurrency",
  "1,4",
  "--requests",
  "4",
  "--input-tokens",
  "16",
  "--output-tokens",
  "20",
  "--sim-per-token-ms",
  "10",
  "--sim-ttft-ms",
  "0",
  "--no-metrics",
  "--no-client-token-check",
  "--quiet",
];

function records(dir: string): RequestRecord[] {
  return readFileSync(join(dir, "requests.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => parseRecordLine(l) as unknown as RequestRecord);
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

describe("per-level barrier", () => {
  it("--distributed local:2 starts level 1 on both shards at one instant, after level 0 ended everywhere", async () => {
    const out = join(tmp, "local2");
    const r = await runCli(["run", ...LOAD, "--distributed", "local:2", "--out", out], { timeoutMs: 120_000, env: { SERVEBENCH_START_DELAY: "4s" } });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const shardRecords = [0, 1].map((i) => records(join(out, "shards", `shard-${i}`)).filter((x) => !x.warmup));
    const firstScheduled = shardRecords.map((recs) => Math.min(...recs.filter((x) => x.level === 1).map((x) => x.scheduledMs)));
    // Relative alignment of the recorded schedules, not speed: generous bound.
    expect(Math.abs((firstScheduled[0] as number) - (firstScheduled[1] as number))).toBeLessThan(500);
    const level0End = Math.max(
      ...shardRecords
        .flat()
        .filter((x) => x.level === 0)
        .map((x) => x.endMs),
    );
    expect(Math.min(...firstScheduled)).toBeGreaterThanOrEqual(level0End);
    expect(shardRecords[1]?.filter((x) => x.level === 0)).toHaveLength(0);

    const infos = [0, 1].map((i) => readJson<ShardInfo>(join(out, "shards", `shard-${i}`, "shard.json")));
    for (const info of infos) {
      for (const level of [0, 1]) expect(info.levels[level]).toMatchObject({ level, aligned_by: "barrier", barrier: { timed_out: false, missing: [] } });
    }
    expect(infos[0]?.levels[1]?.start_at_epoch_ms).toBe(infos[1]?.levels[1]?.start_at_epoch_ms);
    const merged = readJson<RunSummary>(join(out, "summary.json")).run.scale?.merged;
    expect(merged?.levels.map((l) => [l.level, l.aligned_by, l.late_by_ms.length, l.barrier_missing])).toEqual([
      [0, "barrier", 2, []],
      [1, "barrier", 2, []],
    ]);
    expect(r.stdout).toMatch(/level 1: start aligned by barrier/);
  });

  it("a shard whose partner never arrives gives up after --barrier-timeout, records it and exits 0", async () => {
    const out = join(tmp, "alone");
    const barrier = join(tmp, "alone-barrier");
    const startAt = String(Date.now() + 1000);
    const r = await runCli(["run", ...LOAD, "--shard", "0/2", "--start-at", startAt, "--barrier-dir", barrier, "--barrier-timeout", "2s", "--out", out], {
      timeoutMs: 60_000,
    });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const info = readJson<ShardInfo>(join(out, "shard.json"));
    expect(info.status).toBe("complete");
    // Given up on at the first barrier, shard 1 is not waited for again.
    expect(info.levels[0]).toMatchObject({ aligned_by: "barrier", barrier: { timed_out: true, missing: [1] } });
    expect(info.levels[1]).toMatchObject({ aligned_by: "barrier", barrier: { timed_out: false, missing: [] } });
    const summary = readJson<RunSummary>(join(out, "summary.json"));
    expect(summary.levels.map((l) => l.requests.completed)).toEqual([4, 2]);
    expect(summary.levels[0]?.warnings.join("\n")).toMatch(/shard 1 did not reach the barrier before level 0 within 2 s/);
    const merged = await runCli(["merge", out, "--allow-missing", "--out", join(tmp, "alone-merged")]);
    expect(merged.code).toBe(0);
    const levels = readJson<RunSummary>(join(tmp, "alone-merged", "summary.json")).levels;
    expect(levels[0]?.warnings.join("\n")).toMatch(/the barrier before level 0 gave up on shard 1/);
  });

  it("a shard that fails before its first level leaves the barrier: its partner starts without waiting out --barrier-timeout", async () => {
    // Identical configs (one run key), but the relative --dataset exists only in shard 0's directory,
    // as when one pod lacks a mounted file: shard 1 fails while building its workload.
    const fixture = join(import.meta.dirname, "..", "fixtures", "workload", "good.csv");
    const [dir0, dir1] = ["cwd-0", "cwd-1"].map((d) => join(tmp, d)) as [string, string];
    for (const d of [dir0, dir1]) mkdirSync(d, { recursive: true });
    copyFileSync(fixture, join(dir0, "prompts.csv"));
    const barrier = join(tmp, "failed-barrier");
    const startAt = String(Date.now() + 1500);
    const args = (i: number): string[] => [
      "run",
      ...LOAD,
      "--dataset",
      "prompts.csv",
      "--shard",
      `${i}/2`,
      "--start-at",
      startAt,
      "--barrier-dir",
      barrier,
      "--barrier-timeout",
      "10m",
      "--out",
      join(tmp, `failed-shard-${i}`),
    ];
    // Without the "left" marker shard 0 would wait 10 minutes at its first barrier: the 90 s limit fails the test.
    const [r0, r1] = await Promise.all([runCli(args(0), { cwd: dir0, timeoutMs: 90_000 }), runCli(args(1), { cwd: dir1, timeoutMs: 90_000 })]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/prompts\.csv: cannot read dataset/);
    expect(r0.stderr).not.toMatch(/internal error/);
    expect(r0.code).toBe(0);
    const runDirs = readdirSync(barrier);
    expect(runDirs).toHaveLength(1);
    expect(readJson<{ status: string }>(join(barrier, runDirs[0] as string, "shard-1.left.json")).status).toBe("failed");
    const info = readJson<ShardInfo>(join(tmp, "failed-shard-0", "shard.json"));
    expect(info.status).toBe("complete");
    expect(info.levels.map((l) => l.barrier?.timed_out)).toEqual([false, false]);
    expect(existsSync(join(tmp, "failed-shard-1", "shard.json"))).toBe(false);
  });
});
