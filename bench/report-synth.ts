// Synthesises run directories (requests.jsonl, metrics.jsonl, summary.json, env.json, cell.json)
// from a seeded queueing model, for report fixtures, tests and the 1M-request scale benchmark.
// Deterministic for a seed; summaries come from the real aggregateLevel. Never measures anything.

import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RequestRecord } from "../src/client/record.js";
import { parseSlo } from "../src/config/units.js";
import { aggregateLevel, type LevelSummary } from "../src/metrics/level.js";
import { renderCsv } from "../src/report/csv.js";
import { renderMarkdown } from "../src/report/markdown.js";
import { encodeRecordLine } from "../src/results/request-record.js";
import { SUMMARY_SCHEMA, type RunSummary } from "../src/results/run-summary.js";
import { createRng } from "../src/workload/random.js";

export interface SynthOptions {
  dir: string;
  concurrency: number[];
  /** Requests per level: a number, or a multiple of the concurrency ("4x"). */
  requests: number | `${number}x`;
  inputTokens?: number;
  outputTokens?: number;
  seed?: number;
  model?: string;
  /** Decode time per token at one stream, ms; grows with the batch. */
  tpotMs?: number;
  ttftMs?: number;
  /** Streams the "server" runs at once; beyond it requests queue (the knee). */
  maxBatch?: number;
  /** Every Nth request fails with `errorCode` and `errorMessage`. */
  errorEvery?: number;
  errorCode?: string;
  errorMessage?: string;
  prefixHitRate?: number;
  slo?: string;
  telemetry?: boolean;
  cell?: { id: string; index?: number; dimensions: Record<string, string> };
  gpu?: string;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function simulateLevel(
  o: Required<Pick<SynthOptions, "inputTokens" | "outputTokens" | "tpotMs" | "ttftMs" | "maxBatch">> & SynthOptions,
  level: number,
  c: number,
  n: number,
  startMs: number,
  rng: () => number,
): RequestRecord[] {
  const running = Math.min(c, o.maxBatch);
  const tpot = o.tpotMs * (1 + 0.02 * running);
  const service = o.ttftMs + tpot * o.outputTokens;
  const queueMs = c > o.maxBatch ? (c / o.maxBatch - 1) * service : 0;
  const slots = new Array<number>(c).fill(startMs);
  const records: RequestRecord[] = [];
  for (let i = 0; i < n; i++) {
    const slot = i % c;
    const scheduledMs = slots[slot] as number;
    const sentMs = scheduledMs + 0.02 + rng() * 0.05;
    const ttft = (o.ttftMs * (1 + running / 64) + queueMs) * Math.exp(0.08 * gaussian(rng));
    const chunks: number[] = [];
    let t = scheduledMs + ttft;
    for (let k = 0; k < o.outputTokens; k++) {
      if (k > 0) t += tpot * Math.exp(0.1 * gaussian(rng));
      chunks.push(r3(t));
    }
    const endMs = t + 0.3;
    slots[slot] = endMs;
    const failed = o.errorEvery !== undefined && (i + 1) % o.errorEvery === 0;
    const base = {
      id: `${level}-${i}`,
      level,
      index: i,
      warmup: false,
      scheduledMs: r3(scheduledMs),
      sentMs: r3(sentMs),
      targetInputTokens: o.inputTokens,
      targetOutputTokens: o.outputTokens,
    };
    records.push(
      failed
        ? {
            ...base,
            endMs: r3(scheduledMs + ttft / 2),
            tokenChunkMs: [],
            outcome: "error",
            error: { code: o.errorCode ?? "http_500", httpStatus: 500, message: o.errorMessage ?? "Internal Server Error" },
            outputChars: 0,
          }
        : {
            ...base,
            headersMs: r3(sentMs + 1),
            firstTokenMs: chunks[0] as number,
            firstContentMs: chunks[0] as number,
            endMs: r3(endMs),
            tokenChunkMs: chunks,
            outcome: "ok",
            finishReason: "length",
            usage: { promptTokens: o.inputTokens, completionTokens: o.outputTokens },
            outputChars: o.outputTokens * 4,
          },
    );
  }
  return records.sort((a, b) => a.endMs - b.endMs);
}

function telemetryLines(
  records: readonly RequestRecord[],
  levels: Array<{ startMs: number; endMs: number; c: number }>,
  o: SynthOptions & { maxBatch: number; inputTokens: number },
): string[] {
  const lines: string[] = [];
  const last = Math.max(...levels.map((l) => l.endMs));
  let generated = 0;
  let queries = 0;
  let next = 0;
  for (let t = 0; t <= last + 1000; t += 1000) {
    while (next < records.length && (records[next] as RequestRecord).endMs <= t) {
      const r = records[next++] as RequestRecord;
      if (r.outcome === "ok") {
        generated += r.usage?.completionTokens ?? 0;
        queries += r.usage?.promptTokens ?? 0;
      }
    }
    const active = levels.find((l) => t >= l.startMs && t <= l.endMs);
    const running = active ? Math.min(active.c, o.maxBatch) : 0;
    const waiting = active ? Math.max(0, active.c - o.maxBatch) : 0;
    const canonical = {
      running,
      waiting,
      swapped: null,
      preemptions_total: 0,
      kv_usage_gpu: r3((running / o.maxBatch) * 0.85),
      kv_usage_cpu: null,
      prefix_queries_total: queries,
      prefix_hits_total: Math.round(queries * (o.prefixHitRate ?? 0)),
      prompt_tokens_total: queries,
      generation_tokens_total: generated,
    };
    lines.push(`${JSON.stringify({ t_ms: t, epoch_ms: 1767225600000 + t, duration_ms: 2, ok: true, dialect: "vllm-v1", canonical })}\n`);
  }
  return lines;
}

/**
 * Writes a complete synthetic run directory and returns its summary.
 * @example await writeSyntheticRun({ dir: "/tmp/run", concurrency: [1, 8], requests: "4x" });
 */
export function writeSyntheticRun(options: SynthOptions): RunSummary {
  const o = { inputTokens: 512, outputTokens: 64, tpotMs: 20, ttftMs: 60, maxBatch: 48, ...options };
  const rng = createRng(o.seed ?? 1);
  mkdirSync(o.dir, { recursive: true });
  const slo = o.slo ? parseSlo(o.slo, "slo") : [];
  const fd = openSync(join(o.dir, "requests.jsonl"), "w");
  const levels: LevelSummary[] = [];
  const bounds: Array<{ startMs: number; endMs: number; c: number }> = [];
  const sampleForTelemetry: RequestRecord[] = [];
  let clock = 250;
  o.concurrency.forEach((c, level) => {
    const n = typeof o.requests === "number" ? o.requests : Math.round(Number(o.requests.slice(0, -1)) * c);
    const records = simulateLevel(o, level, c, n, clock, rng);
    let buf = "";
    for (const r of records) {
      buf += encodeRecordLine(r);
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = "";
      }
    }
    writeSync(fd, buf);
    const summary = aggregateLevel(records, {
      level,
      load: { kind: "concurrency", concurrency: c },
      percentiles: [50, 90, 95, 99],
      slo,
      strict: false,
      endpoint: "completions",
      interrupted: false,
    });
    if (o.telemetry !== false)
      summary.server = { prefix_cache_hit_rate: o.prefixHitRate ?? 0, running_peak: Math.min(c, o.maxBatch), waiting_peak: Math.max(0, c - o.maxBatch) };
    levels.push(summary);
    const endMs = (records[records.length - 1] as RequestRecord).endMs;
    bounds.push({ startMs: clock, endMs, c });
    // Telemetry needs completions in time order; keep a thinned copy (every record is too many at 1M).
    const stride = Math.max(1, Math.floor(records.length / 20000));
    for (let i = 0; i < records.length; i += stride) {
      const r = records[i] as RequestRecord;
      sampleForTelemetry.push({
        ...r,
        tokenChunkMs: [],
        usage: r.usage ? { promptTokens: (r.usage.promptTokens ?? 0) * stride, completionTokens: (r.usage.completionTokens ?? 0) * stride } : undefined,
      } as RequestRecord);
    }
    clock = endMs + 500;
  });
  closeSync(fd);
  if (o.telemetry !== false) writeFileSync(join(o.dir, "metrics.jsonl"), telemetryLines(sampleForTelemetry, bounds, o).join(""));
  const run: RunSummary["run"] = {
    started_at: "2026-01-01T00:00:00.000Z",
    finished_at: "2026-01-01T00:10:00.000Z",
    target: "http://127.0.0.1:8000",
    embedded_simulator: false,
    model: o.model ?? "synthetic-model",
    endpoint: "completions",
    tokenizer: "bundled:Qwen3",
    workload: `synthetic ${o.inputTokens} in / ${o.outputTokens} out, unique prompts`,
    input_tokens: o.inputTokens,
    output_tokens: o.outputTokens,
    strict: false,
    percentiles: [50, 90, 95, 99],
    seed: o.seed ?? 1,
    predicted: false,
    interrupted: false,
    ...(o.slo ? { slo: o.slo } : {}),
  };
  const summary: RunSummary = { schema: SUMMARY_SCHEMA, servebench_version: "0.1.0", run, levels };
  writeFileSync(join(o.dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(o.dir, "summary.csv"), renderCsv(summary));
  writeFileSync(join(o.dir, "summary.md"), renderMarkdown(summary));
  writeFileSync(
    join(o.dir, "config.json"),
    `${JSON.stringify({ concurrency: o.concurrency, inputTokens: o.inputTokens, outputTokens: o.outputTokens, synthetic: true }, null, 2)}\n`,
  );
  const env = {
    started_at: "2026-01-01T08:00:00.000+08:00",
    hostname: "bench-host",
    os: { platform: "linux", type: "Linux", release: "6.8.0", version: "#1", arch: "x64" },
    cpu: { model: "Synthetic CPU", count: 32 },
    memory_total_bytes: 270582939648,
    node_version: "v20.18.1",
    servebench_version: "0.1.0",
    target: { base_url: "http://127.0.0.1:8000", version: { version: "0.12.0" }, models: [{ id: o.model ?? "synthetic-model", max_model_len: 8192 }] },
    gpu: o.gpu
      ? { source: "nvidia-smi", devices: [{ name: o.gpu, driver_version: "580.105.08", memory_total_mib: 81559 }], raw: "" }
      : { source: "absent", tried: ["nvidia-smi", "rocm-smi"] },
  };
  writeFileSync(join(o.dir, "env.json"), `${JSON.stringify(env, null, 2)}\n`);
  if (o.cell) writeFileSync(join(o.dir, "cell.json"), `${JSON.stringify(o.cell, null, 2)}\n`);
  return summary;
}
