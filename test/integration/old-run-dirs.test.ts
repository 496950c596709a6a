// Run directories written before requests.jsonl became snake_case (record version 1, camelCase)
// still work: compare reads them against a version 2 copy of the same run with no change at all,
// and a merge of one old shard with one new shard gives the summary of a merge of two new ones.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFakeShard } from "../../bench/scale-fake-shards.js";
import { compareRuns } from "../../src/report/compare.js";
import { decodeRecord, encodeRecordLine, parseRecordLine } from "../../src/results/request-record.js";
import { mergeShards } from "../../src/scale/merge-run.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-old-runs-"));
const OLD_SWEEP = join(import.meta.dirname, "..", "fixtures", "report", "sweep");

function rewrite(path: string, line: (text: string) => string): void {
  const lines = readFileSync(path, "utf8").trim().split("\n");
  writeFileSync(path, lines.map(line).join(""));
}

describe("run directories from before record version 2", () => {
  it("are the fixture's format: camelCase records with no version", () => {
    const first = JSON.parse(readFileSync(join(OLD_SWEEP, "requests.jsonl"), "utf8").split("\n")[0] ?? "") as Record<string, unknown>;
    expect(first.scheduledMs).toBeTypeOf("number");
    expect(first.record_version).toBeUndefined();
  });

  it("compare against a version 2 copy of the same run: every metric and interval unchanged", async () => {
    const upgraded = join(tmp, "sweep-v2");
    cpSync(OLD_SWEEP, upgraded, { recursive: true });
    rewrite(join(upgraded, "requests.jsonl"), (l) => encodeRecordLine(parseRecordLine(l)));
    expect(readFileSync(join(upgraded, "requests.jsonl"), "utf8")).toContain('"record_version":2');
    const result = await compareRuns({ a: OLD_SWEEP, b: upgraded, resamples: 50 });
    expect(result.levels.length).toBeGreaterThan(0);
    for (const level of result.levels) {
      for (const m of level.changes) {
        expect(m.b, `${level.load} ${m.metric}`).toEqual(m.a);
        // The intervals are resampled from each run's records: both versions were read, and agree.
        if (m.ci !== null) expect(m.withinNoise, `${level.load} ${m.metric}`).toBe(true);
      }
    }
    expect(result.levels.flatMap((l) => l.changes).filter((m) => m.ci !== null).length).toBeGreaterThan(0);
  });

  it("merge one old shard with one new shard as it merges two new ones", async () => {
    const make = (name: string): string[] =>
      [0, 1].map((index) => {
        const dir = join(tmp, name, `shard-${index}`);
        writeFakeShard({ dir, index, count: 2, perLevel: [40, 30], outputTokens: 12, seed: 3, warmup: 1, errorRate: 0.05 });
        return dir;
      });
    const fresh = make("fresh");
    const mixed = make("mixed");
    rewrite(join(mixed[0] ?? "", "requests.jsonl"), (l) => `${JSON.stringify(decodeRecord(JSON.parse(l) as Record<string, unknown>))}\n`);
    const a = await mergeShards(fresh, { out: join(tmp, "fresh", "merged") });
    const b = await mergeShards(mixed, { out: join(tmp, "mixed", "merged") });
    expect(b.records).toBe(a.records);
    expect(b.summary.levels).toEqual(a.summary.levels);
  });
});
