// Unit tests for the parallel digest's parts: cutting a file at newlines, and merging digests of
// the parts into exactly the digest of the whole.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeSyntheticRun } from "../../bench/report-synth.js";
import { parseSlo } from "../config/units.js";
import { splitAtNewlines } from "./digest-parallel.js";
import { digestFromData, digestRange, digestToData, mergeDigest, type RunDigest } from "./request-digest.js";

const dir = join(mkdtempSync(join(tmpdir(), "sb-digest-")), "run");
writeSyntheticRun({ dir, concurrency: [2, 16], requests: "5x", outputTokens: 20, seed: 5, errorEvery: 9, telemetry: false });
const path = join(dir, "requests.jsonl");
const slo = parseSlo("ttft_ms<=80,tpot_ms<=25", "--slo");

function comparable(d: RunDigest): unknown {
  return JSON.parse(JSON.stringify(digestToData(d), (_k, v: unknown) => (v instanceof Float64Array ? [...v] : typeof v === "number" ? Number(v.toPrecision(10)) : v)));
}

describe("parallel digest parts", () => {
  it("cuts a file into ranges that start after newlines and cover it exactly", () => {
    const bytes = readFileSync(path);
    const ranges = splitAtNewlines(path, 3);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]?.start).toBe(0);
    expect(ranges[ranges.length - 1]?.end).toBe(bytes.length);
    for (let i = 1; i < ranges.length; i++) {
      expect(ranges[i]?.start).toBe(ranges[i - 1]?.end);
      expect(bytes[(ranges[i]?.start ?? 0) - 1]).toBe(10);
    }
  });

  it("merges the digests of the parts into the digest of the whole", async () => {
    const whole = await digestRange(path, slo);
    const parts = await Promise.all(splitAtNewlines(path, 3).map((r) => digestRange(path, slo, r)));
    const merged = digestFromData(digestToData(parts[0] as RunDigest));
    for (const p of parts.slice(1)) mergeDigest(merged, digestFromData(digestToData(p)));
    expect(merged.records).toBe(whole.records);
    expect(comparable(merged)).toEqual(comparable(whole));
  });
});
