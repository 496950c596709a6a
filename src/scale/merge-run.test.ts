// Merge exactness: a merged run's every percentile equals aggregateLevel over the concatenated
// records; a shard that failed or is missing is named, never silently dropped.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeFakeShard } from "../../bench/scale-fake-shards.js";
import type { RequestRecord } from "../client/record.js";
import { sloCheck } from "../run/level-extras.js";
import { perRequestSlo, type SloTerm } from "../config/units.js";
import { aggregateLevel, type FlatDistribution, type LevelSummary } from "../metrics/level.js";
import type { RunSummary } from "../results/run-summary.js";
import { mergeShards } from "./merge-run.js";
import { parseRecordLine } from "../results/request-record.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-merge-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function shards(name: string, count: number, perLevel: number[], extra: { serverOffsetMs?: (i: number) => number } = {}): string[] {
  return Array.from({ length: count }, (_, index) => {
    const dir = join(tmp, name, `shard-${index}`);
    writeFakeShard({
      dir,
      index,
      count,
      perLevel,
      outputTokens: 12,
      seed: 7,
      warmup: 2,
      errorRate: 0.05,
      ...(extra.serverOffsetMs ? { serverOffsetMs: extra.serverOffsetMs(index) } : {}),
    });
    return dir;
  });
}

const DISTS = [
  "ttft_ms",
  "ttfc_ms",
  "tpot_ms",
  "itl_ms",
  "e2e_ms",
  "send_delay_ms",
  "decode_tokens_per_s",
  "prefill_tokens_per_s",
  "input_tokens",
  "output_tokens",
] as const;

describe("mergeShards", () => {
  it("recomputes every percentile from all records, exactly as a single run would", async () => {
    const dirs = shards("exact", 3, [300, 201]);
    const out = join(tmp, "exact", "merged");
    const result = await mergeShards(dirs, { out });
    const lines = readFileSync(join(out, "requests.jsonl"), "utf8").trim().split("\n");
    const all = lines.map((l) => parseRecordLine(l));
    expect(all).toHaveLength(3 * (300 + 201 + 4));
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    const concatenated = dirs.flatMap((d) => readFileSync(join(d, "requests.jsonl"), "utf8").trim().split("\n"));
    expect(lines).toEqual(concatenated);
    const written = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as RunSummary;
    const terms = (JSON.parse(readFileSync(join(dirs[0] as string, "config.json"), "utf8")) as { slo: SloTerm[] }).slo;
    for (const level of [0, 1]) {
      const levelRecords = all.filter((r) => r.level === level);
      const expected = aggregateLevel(levelRecords, {
        level,
        load: { kind: "concurrency", concurrency: 8 * (level + 1) },
        percentiles: [50, 90, 95, 99],
        slo: perRequestSlo(terms),
        strict: true,
        endpoint: "completions",
        interrupted: false,
      });
      const got = written.levels[level] as LevelSummary;
      for (const d of DISTS) expect(got[d], d).toEqual(expected[d] as FlatDistribution);
      // Aggregate SLO terms (p99 of TTFT, median ITL) from all records, failures counted as misses.
      expect(got.slo_check).toEqual(sloCheck(levelRecords, terms));
      expect(got.slo_check?.terms).toHaveLength(2);
      for (const k of [
        "requests",
        "errors_by_code",
        "duration_s",
        "request_per_s",
        "output_tokens_per_s",
        "input_tokens_total",
        "goodput",
        "strict",
      ] as const) {
        expect(got[k], k).toEqual(expected[k]);
      }
    }
    expect(result.summary.run.scale?.merged).toMatchObject({ count: 3, missing: [], max_clock_skew_ms: null });
    const series = readFileSync(join(out, "series.csv"), "utf8");
    expect(series.split("\n")[0]).toBe("second,epoch_ms,shard,completed,errored,output_tokens");
    expect(series).toMatch(/^0,1795390000000,0,/m);
  });

  it("bounds the clock skew between shards from their offsets", async () => {
    const dirs = shards("clock", 2, [20], { serverOffsetMs: (i) => (i === 0 ? 10 : 70) });
    const r = await mergeShards(dirs, { out: join(tmp, "clock", "merged") });
    // |10 − 70| + 4 + 4: the clocks disagree by at most 68 ms.
    expect(r.summary.run.scale?.merged?.max_clock_skew_ms).toBe(68);
    expect(r.summary.levels[0]?.warnings.join("\n")).toMatch(/may disagree by up to 68 ms/);
  });

  it("refuses to merge when a shard failed or is missing, naming each", async () => {
    const dirs = shards("failed", 4, [40]);
    const info = JSON.parse(readFileSync(join(dirs[1] as string, "shard.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dirs[1] as string, "shard.json"), JSON.stringify({ ...info, status: "failed", error: "target unreachable" }));
    rmSync(join(dirs[3] as string, "shard.json"));
    const out = join(tmp, "failed", "merged");
    await expect(mergeShards(dirs, { out })).rejects.toThrow(/shard 1 failed: target unreachable[\s\S]*shard-3: no shard\.json \(requests\.jsonl exists/);
    await expect(mergeShards(dirs.slice(0, 3), { out })).rejects.toThrow(/shard 3 of 4: no directory given/);
  });

  it("with --allow-missing merges the rest and records what is missing", async () => {
    const dirs = shards("partial", 3, [30]);
    rmSync(join(dirs[2] as string, "shard.json"));
    const r = await mergeShards(dirs, { out: join(tmp, "partial", "merged"), allowMissing: true });
    expect(r.summary.run.scale?.merged?.missing).toEqual([2]);
    expect(r.summary.run.scale?.merged?.shards.map((s) => s.status)).toEqual(["complete", "complete", "missing"]);
    expect(r.summary.levels[0]?.requests.sent).toBe(60);
    expect(r.summary.levels[0]?.warnings.join("\n")).toMatch(/shard-2: no shard\.json/);
  });
});
