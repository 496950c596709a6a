// The built CLI's scale-out paths against the simulator: --workers on threads writes the run
// directory a single thread would, with per-worker busy figures; --distributed local:N runs N
// shard processes and merges them; a shard that arrives after --start-at is flagged late.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../../src/client/record.js";
import type { RunSummary } from "../../src/results/run-summary.js";
import type { ShardInfo } from "../../src/scale/shard-file.js";
import { runCli } from "../helpers/cli.js";
import { parseRecordLine } from "../../src/results/request-record.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-scale-run-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LOAD = [
  "--concurrency",
  "6",
  "--requests",
  "24",
  "--input-tokens",
  "16",
  "--output-tokens",
  "8",
  "--sim-per-token-ms",
  "1",
  "--sim-ttft-ms",
  "0",
  "--no-metrics",
  "--quiet",
];

function records(dir: string): RequestRecord[] {
  return readFileSync(join(dir, "requests.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => parseRecordLine(l) as unknown as RequestRecord);
}

function summary(dir: string): RunSummary {
  return JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as RunSummary;
}

describe("scale-out from the CLI", () => {
  it("--workers 2 runs the level on two threads into one run directory", async () => {
    const out = join(tmp, "workers");
    const r = await runCli(["run", ...LOAD, "--workers", "2", "--out", out]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const recs = records(out);
    expect(recs).toHaveLength(24);
    expect(new Set(recs.map((x) => x.id))).toEqual(new Set(Array.from({ length: 24 }, (_, i) => `0-${i}`)));
    const s = summary(out);
    expect(s.levels[0]?.requests.completed).toBe(24);
    expect(s.run.scale?.workers).toBe(2);
    const stats = s.run.scale?.worker_stats?.[0];
    expect(stats?.workers.map((w) => w.requests)).toEqual([12, 12]);
    for (const w of stats?.workers ?? []) expect(w.busy).toBeGreaterThanOrEqual(0);
  });

  it("--distributed local:3 runs three shards and merges them exactly", async () => {
    const out = join(tmp, "local3");
    const r = await runCli(["run", ...LOAD, "--distributed", "local:3", "--out", out], { timeoutMs: 90_000, env: { SERVEBENCH_START_DELAY: "4s" } });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const recs = records(out);
    expect(recs).toHaveLength(24);
    expect(new Set(recs.map((x) => x.id)).size).toBe(24);
    const s = summary(out);
    expect(s.levels[0]?.requests.completed).toBe(24);
    expect(s.run.scale?.merged?.shards.map((x) => [x.index, x.status, x.records])).toEqual([
      [0, "complete", 8],
      [1, "complete", 8],
      [2, "complete", 8],
    ]);
    const shard = JSON.parse(readFileSync(join(out, "shards", "shard-1", "shard.json"), "utf8")) as ShardInfo;
    expect(shard).toMatchObject({ index: 1, count: 3, status: "complete", levels: [{ level: 0, expected_requests: 8 }] });
    // Same host, same clock: the estimated offsets agree within their bounds.
    const clock = shard.clock.server;
    if (clock !== undefined) expect(Math.abs(clock.offset_ms)).toBeLessThanOrEqual(clock.bound_ms + 5);
  });

  it("a shard that reaches --start-at late starts at once and says by how much", async () => {
    const out = join(tmp, "late");
    const r = await runCli(["run", ...LOAD, "--shard", "1/2", "--start-at", String(Date.now() - 5000), "--out", out]);
    expect(r.code).toBe(0);
    const info = JSON.parse(readFileSync(join(out, "shard.json"), "utf8")) as ShardInfo;
    expect(info.late_by_ms).toBeGreaterThanOrEqual(5000);
    expect(
      records(out)
        .map((x) => x.index)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 12 }, (_, i) => 12 + i));
  });
});
