// Unit: `run --distributed` hands every embedded-simulator flag to the `simulate` process in
// simulate's spelling, and the rest to the shards (which then run with --url).

import { describe, expect, it } from "vitest";
import { shardArgs } from "./local-distributed.js";

describe("shardArgs", () => {
  it("moves --sim-* (and --no-sim-*) flags to the simulator, renamed; --sim-profile and --sim-trace stay as they are", () => {
    const { shard, sim } = shardArgs([
      "--concurrency",
      "4",
      "--sim-gpu",
      "H100-SXM",
      "--sim-model=Qwen/Qwen3-8B",
      "--sim-tp",
      "2",
      "--no-sim-prefix-caching",
      "--sim-profile",
      "p.json",
      "--sim-trace",
      "t.jsonl",
      "--out",
      "dir",
      "--sim-enforce-eager",
      "--quiet",
    ]);
    expect(sim).toEqual(["--gpu", "H100-SXM", "--model", "Qwen/Qwen3-8B", "--tp", "2", "--no-prefix-caching", "--sim-profile", "p.json", "--enforce-eager"]);
    expect(shard).toEqual(["--concurrency", "4", "--sim-trace", "t.jsonl", "--quiet"]);
  });

  it("starts the simulator on run's default preset unless the run asks for a GPU or the simple timing", () => {
    expect(shardArgs(["--concurrency", "4"]).sim).toEqual(["--gpu", "RTX-4070", "--model", "Qwen/Qwen3-8B-AWQ", "--max-model-len", "16384"]);
    expect(shardArgs(["--sim-model", "Qwen/Qwen3-4B", "--sim-max-num-seqs", "8"]).sim).toEqual([
      "--gpu",
      "RTX-4070",
      "--max-model-len",
      "16384",
      "--model",
      "Qwen/Qwen3-4B",
      "--max-num-seqs",
      "8",
    ]);
    expect(shardArgs(["--sim-timing", "simple", "--sim-max-num-seqs", "8"]).sim).toEqual(["--max-num-seqs", "8"]);
    expect(shardArgs(["--sim-per-token-ms", "4"]).sim).toEqual(["--per-token-ms", "4"]);
  });
});
