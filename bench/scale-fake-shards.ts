// Bench and test helper: writes synthetic shard directories (shard.json, config.json,
// summary.json, requests.jsonl) with realistic, seeded records, as `run --shard` would.

import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RequestRecord } from "../src/client/record.js";
import { encodeRecord } from "../src/results/request-record.js";
import { SUMMARY_SCHEMA, type RunSummary } from "../src/results/run-summary.js";
import { SHARD_SCHEMA, type ShardInfo } from "../src/scale/shard-file.js";
import { createRng } from "../src/workload/random.js";

export interface FakeShardOptions {
  dir: string;
  index: number;
  count: number;
  /** Measured records per level of this shard. */
  perLevel: number[];
  outputTokens: number;
  seed: number;
  errorRate?: number;
  warmup?: number;
  serverOffsetMs?: number;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function fakeRecord(level: number, index: number, random: () => number, outputTokens: number, errorRate: number, warmup = false): RequestRecord {
  const scheduledMs = r3(level * 100_000 + index * 7.3 + random() * 50);
  const sentMs = r3(scheduledMs + random() * 0.5);
  const headersMs = r3(sentMs + 1 + random() * 3);
  const base = {
    id: `${level}-${warmup ? "w" : ""}${index}`,
    level,
    index,
    warmup,
    scheduledMs,
    sentMs,
    targetInputTokens: 64,
    targetOutputTokens: outputTokens,
  };
  if (random() < errorRate) {
    return {
      ...base,
      headersMs,
      endMs: r3(headersMs + 1),
      tokenChunkMs: [],
      outcome: "error",
      error: { code: "http_503", httpStatus: 503, message: "overloaded" },
      outputChars: 0,
    };
  }
  const chunks: number[] = [];
  let t = headersMs + 20 + random() * 40;
  for (let k = 0; k < outputTokens; k++) {
    chunks.push(r3(t));
    t += 4 + random() * 3 + (random() < 0.01 ? 50 * random() : 0);
  }
  const last = chunks[chunks.length - 1] as number;
  return {
    ...base,
    headersMs,
    firstTokenMs: chunks[0] as number,
    firstContentMs: chunks[0] as number,
    endMs: r3(last + 0.2),
    tokenChunkMs: chunks,
    outcome: "ok",
    finishReason: "length",
    usage: { promptTokens: 64, completionTokens: outputTokens },
    outputChars: outputTokens * 4,
  };
}

export function writeFakeShard(o: FakeShardOptions): void {
  mkdirSync(o.dir, { recursive: true });
  const random = createRng(o.seed * 1000 + o.index);
  const fd = openSync(join(o.dir, "requests.jsonl"), "w");
  o.perLevel.forEach((n, level) => {
    let buf: string[] = [];
    for (let w = 0; w < (o.warmup ?? 0); w++) buf.push(JSON.stringify(encodeRecord(fakeRecord(level, o.index * 1000 + w, random, o.outputTokens, 0, true))));
    for (let j = 0; j < n; j++) {
      // Shard i owns the contiguous block [i·n, (i+1)·n) of the level's indices.
      buf.push(JSON.stringify(encodeRecord(fakeRecord(level, o.index * n + j, random, o.outputTokens, o.errorRate ?? 0.01))));
      if (buf.length >= 10_000) {
        writeSync(fd, `${buf.join("\n")}\n`);
        buf = [];
      }
    }
    if (buf.length > 0) writeSync(fd, `${buf.join("\n")}\n`);
  });
  closeSync(fd);
  const config = {
    percentiles: [50, 90, 95, 99],
    slo: [
      { metric: "ttft_ms", op: "<=", value: 40 },
      { metric: "ttft_ms", stat: "p99", op: "<=", value: 60 },
      { metric: "itl_ms", stat: "p50", op: "<=", value: 6 },
    ],
    strict: true,
    endpoint: "completions",
    shard: `${o.index}/${o.count}`,
  };
  writeFileSync(join(o.dir, "config.json"), JSON.stringify(config));
  const summary: RunSummary = {
    schema: SUMMARY_SCHEMA,
    servebench_version: "0.1.0",
    run: {
      started_at: "2026-11-22T10:00:00.000Z",
      finished_at: "2026-11-22T10:05:00.000Z",
      target: "http://sim",
      embedded_simulator: false,
      model: "m",
      endpoint: "completions",
      tokenizer: "t",
      workload: "synthetic",
      strict: true,
      percentiles: [50, 90, 95, 99],
      seed: 0,
      predicted: false,
      interrupted: false,
    },
    levels: o.perLevel.map((n, level) => ({
      level,
      load: { kind: "concurrency" as const, concurrency: 8 * (level + 1) },
      requests: { sent: n, completed: n, errored: 0, aborted: 0, warmup: o.warmup ?? 0 },
      errors_by_code: {},
      duration_s: 1,
      request_per_s: 0,
      input_tokens_per_s: 0,
      output_tokens_per_s: 0,
      total_tokens_per_s: 0,
      input_tokens_total: 0,
      output_tokens_total: 0,
      interrupted: false,
      warnings: [],
    })),
  };
  writeFileSync(join(o.dir, "summary.json"), JSON.stringify(summary));
  const info: ShardInfo = {
    schema: SHARD_SCHEMA,
    index: o.index,
    count: o.count,
    start_at_epoch_ms: 1_795_390_000_000,
    late_by_ms: 0,
    status: "complete",
    host: `pod-${o.index}`,
    run_key: "fake-run",
    levels: o.perLevel.map((n, level) => ({ level, expected_requests: n, expected_warmup: o.warmup ?? 0 })),
    clock: o.serverOffsetMs === undefined ? {} : { server: { offset_ms: o.serverOffsetMs, bound_ms: 4, samples: 9, source: "http-date" } },
    workers: 1,
  };
  writeFileSync(join(o.dir, "shard.json"), JSON.stringify(info));
}
