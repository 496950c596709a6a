// Cross-check thresholds: 5% throughput, TTFT within server bucket + RTT.
import { describe, expect, it } from "vitest";
import { crossCheck } from "./cross-check.js";

const agree = {
  clientGenerationTokensPerSec: 1000,
  serverGenerationTokensPerSec: 1020,
  clientTtftP50Ms: 101,
  serverTtftP50Ms: 100,
  rttMs: 0.5,
};

describe("crossCheck", () => {
  it("is silent when both sides agree", () => {
    expect(crossCheck(agree)).toEqual([]);
  });

  it("warns when generation throughput differs by more than 5%", () => {
    const w = crossCheck({ ...agree, clientGenerationTokensPerSec: 900 });
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/generation throughput: client 900 tok\/s vs server 1020 tok\/s/);
  });

  it("warns when client TTFT exceeds server TTFT by more than RTT allows", () => {
    const w = crossCheck({ ...agree, clientTtftP50Ms: 150, rttMs: 20 });
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/TTFT p50: client 150 ms exceeds the server's 100 ms by 50\.0 ms/);
    expect(crossCheck({ ...agree, clientTtftP50Ms: 118, rttMs: 20 })).toEqual([]);
  });

  it("widens the allowance to the server's histogram bucket", () => {
    const input = { ...agree, clientTtftP50Ms: 240, serverTtftP50Ms: 150, serverTtftP50BucketMs: [100, 250] as const };
    expect(crossCheck(input)).toEqual([]);
    expect(crossCheck({ ...input, clientTtftP50Ms: 80 })[0]).toMatch(/below the server's/);
  });

  it("skips what a side did not measure", () => {
    expect(crossCheck({ ...agree, serverGenerationTokensPerSec: null, serverTtftP50Ms: null })).toEqual([]);
  });
});

describe("crossCheck with lagging counters (llama.cpp, TGI)", () => {
  const base = {
    clientGenerationTokensPerSec: 300,
    serverGenerationTokensPerSec: 420,
    clientTtftP50Ms: null,
    serverTtftP50Ms: null,
    rttMs: 0,
    countersLag: true,
  };
  it("compares totals, not a sawtooth's rate", () => {
    expect(crossCheck({ ...base, clientOutputTokens: 256, serverGenerationTokens: 256, clientInputTokens: 3200, serverPromptTokens: 3200 })).toEqual([]);
  });
  it("flags totals that disagree", () => {
    const w = crossCheck({ ...base, clientOutputTokens: 200, serverGenerationTokens: 256, clientInputTokens: 3200, serverPromptTokens: 3200 });
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/generated tokens: the client counted 200 in the level, the server's counters 256/);
  });
  it("accepts server totals up to what failed streams may have cost (llama.cpp generates a failed chat answer to the end)", () => {
    // 10 ok × 64 + 6 failed streams that delivered 178 chunks of their 64 each: the server counts 1024.
    const input = {
      ...base,
      clientOutputTokens: 818,
      clientOutputTokensMax: 1024,
      serverGenerationTokens: 1024,
      clientInputTokens: 7680,
      serverPromptTokens: 8192,
    };
    expect(crossCheck({ ...input, clientInputTokensMax: 8192 })).toEqual([]);
    // Beyond the upper bound it is still flagged, with the range.
    const w = crossCheck({ ...input, serverGenerationTokens: 1200, clientInputTokensMax: 8192 });
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(
      /generated tokens: the client counted 818 \(up to 1024 with what its failed streams may have cost\) in the level, the server's counters 1200 \(14\.7% apart/,
    );
    // Below the lower bound too.
    expect(crossCheck({ ...input, serverGenerationTokens: 700, clientInputTokensMax: 8192 })[0]).toMatch(/counted 818 \(up to 1024.*counters 700/);
  });
});
