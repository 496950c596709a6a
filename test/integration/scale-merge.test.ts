// Merge on worker threads (the built dist/ code, one thread per shard) gives exactly the
// in-process result, and the built CLI's `merge` names a missing shard and exits 2.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeFakeShard } from "../../bench/scale-fake-shards.js";
import { runCli } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-scale-merge-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface MergeModule {
  mergeShards(dirs: string[], o: { out: string; parallel?: boolean }): Promise<{ summary: { levels: unknown[] } }>;
}

describe("merge from dist/", () => {
  it("threads and in-process passes agree exactly, byte for byte", async () => {
    const dirs = [0, 1, 2].map((index) => {
      const dir = join(tmp, "shards", `shard-${index}`);
      writeFakeShard({ dir, index, count: 3, perLevel: [400, 100], outputTokens: 10, seed: 5, warmup: 1 });
      return dir;
    });
    const mod = (await import(new URL("../../dist/scale/merge-run.js", import.meta.url).href)) as MergeModule;
    const threaded = await mod.mergeShards(dirs, { out: join(tmp, "threads"), parallel: true });
    const inline = await mod.mergeShards(dirs, { out: join(tmp, "inline"), parallel: false });
    expect(threaded.summary.levels).toEqual(inline.summary.levels);
    expect(readFileSync(join(tmp, "threads", "requests.jsonl"))).toEqual(readFileSync(join(tmp, "inline", "requests.jsonl")));
  });

  it("the CLI refuses a run with a missing shard and names it", async () => {
    const dirs = [0, 1].map((index) => {
      const dir = join(tmp, "cli", `shard-${index}`);
      writeFakeShard({ dir, index, count: 3, perLevel: [20], outputTokens: 4, seed: 1 });
      return dir;
    });
    const r = await runCli(["merge", ...dirs, "--out", join(tmp, "cli", "merged")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shard 2 of 3: no directory given/);
    const ok = await runCli(["merge", ...dirs, "--out", join(tmp, "cli", "merged"), "--allow-missing"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/shard 2: missing/);
  });
});
