// Owns one benchmark run end to end: the only module that wires workload → load → client →
// metrics → report (and telemetry). Library entry point: runBenchmark(config).

import { setMaxListeners } from "node:events";
import { join } from "node:path";
import { monotonicNowMs, realClock } from "../clock.js";
import { resolveRunConfig, type RunConfig, type RunConfigInput } from "../config/run-config.js";
import { formatSlo } from "../config/units.js";
import { StreamingClient } from "../client/http-client.js";
import type { RequestRecord } from "../client/record.js";
import { runLevel, type LoadLevel } from "../load/runner.js";
import { aggregateLevel, type LevelSummary } from "../metrics/level.js";
import { RunDirectory } from "../report/run-dir.js";
import { SUMMARY_SCHEMA, type RunInfo, type RunSummary } from "../report/summary.js";
import { createRng } from "../workload/random.js";
import { loadTokenizer, type TextTokenizer } from "../workload/tokenizer.js";
import { servebenchVersion } from "./version.js";
import { planLevels, type LevelPlan } from "./levels.js";
import type { ProgressListener } from "./progress.js";
import { discoverModel, openTarget } from "./target.js";
import { RequestSource } from "./request-source.js";
import { Telemetry } from "./telemetry.js";

export interface RunHooks {
  onProgress?: ProgressListener;
  /** Abort to stop the run (Ctrl-C): finished records and summaries are kept. */
  signal?: AbortSignal;
  /** Environment variables to read the API key from (default: process.env). */
  env?: Record<string, string | undefined>;
}

export interface RunResult {
  dir: string;
  summary: RunSummary;
  /** True when --strict found any token-count mismatch. */
  strictFailed: boolean;
  interrupted: boolean;
}

function defaultOutDir(): string {
  const stamp = new Date().toISOString().replace(/[:]/g, "-").replace(/\..+$/, "");
  return join("results", stamp);
}

function workloadLabel(config: RunConfig): string {
  if (config.dataset !== undefined) return `dataset ${config.dataset}`;
  if (config.prompt !== undefined) return "fixed prompt";
  const prefix = config.sharedPrefixTokens > 0 ? `, ${config.sharedPrefixTokens} shared prefix` : "";
  return `synthetic ${config.inputTokens} in / ${config.outputTokens} out${prefix}, unique prompts`;
}

/**
 * Runs a benchmark and writes its run directory.
 *
 * @example
 * const { summary } = await runBenchmark({ concurrency: [1, 8], inputTokens: 256, outputTokens: 64 });
 * console.log(summary.levels[1]?.output_tokens_per_s);
 */
export async function runBenchmark(input: RunConfigInput, hooks: RunHooks = {}): Promise<RunResult> {
  const config = resolveRunConfig(input);
  const emit: ProgressListener = hooks.onProgress ?? (() => {});
  const signal = hooks.signal ?? new AbortController().signal;
  // Every in-flight request listens on this one signal; thousands of listeners are expected.
  setMaxListeners(0, signal);
  const apiKey = (hooks.env ?? process.env)[config.apiKeyEnv] || undefined;
  const tokenizer = await loadTokenizer(config.tokenizer);
  const source = await RequestSource.create(config, tokenizer);
  const target = await openTarget(config, tokenizer);
  const dir = new RunDirectory(config.out ?? defaultOutDir());
  try {
    return await runLevels(config, { tokenizer, source, baseUrl: target.baseUrl, embedded: target.embedded, apiKey, dir, emit, signal });
  } finally {
    dir.close();
    await target.close();
  }
}

interface RunContext {
  tokenizer: TextTokenizer;
  source: RequestSource;
  baseUrl: string;
  embedded: boolean;
  apiKey: string | undefined;
  dir: RunDirectory;
  emit: ProgressListener;
  signal: AbortSignal;
}

async function runLevels(config: RunConfig, ctx: RunContext): Promise<RunResult> {
  const telemetry = new Telemetry(config, ctx.baseUrl, ctx.dir.path, ctx.emit);
  await telemetry.waitReady();
  const model = config.model ?? (await discoverModel(ctx.baseUrl, ctx.apiKey)).id;
  const originMs = monotonicNowMs();
  ctx.dir.writeJson("config.json", { ...config, model, target: ctx.baseUrl, embedded_simulator: ctx.embedded });
  await telemetry.captureEnvironment(config, model);
  await telemetry.measureRtt();
  const run: RunInfo = {
    started_at: new Date().toISOString(),
    target: ctx.baseUrl,
    embedded_simulator: ctx.embedded,
    model,
    endpoint: config.endpoint,
    tokenizer: ctx.tokenizer.name,
    workload: workloadLabel(config),
    strict: config.strict,
    percentiles: config.percentiles,
    seed: config.seed,
    predicted: false,
    interrupted: false,
  };
  if (config.prompt === undefined && config.dataset === undefined) {
    run.input_tokens = config.inputTokens;
    run.output_tokens = config.outputTokens;
  }
  if (config.slo.length > 0) run.slo = formatSlo(config.slo);
  const summary: RunSummary = { schema: SUMMARY_SCHEMA, servebench_version: servebenchVersion(), run, levels: [] };
  telemetry.start(originMs);
  try {
    for (const plan of planLevels(config)) {
      if (ctx.signal.aborted) break;
      const level = await runOneLevel(config, plan, model, originMs, ctx, telemetry);
      summary.levels.push(level);
      ctx.dir.writeSummary(summary);
      ctx.emit({ kind: "level-end", summary: level });
    }
  } finally {
    await telemetry.stop();
  }
  run.finished_at = new Date().toISOString();
  run.interrupted = ctx.signal.aborted;
  ctx.dir.writeSummary(summary);
  const strictFailed = summary.levels.some((l) => (l.strict?.mismatched ?? 0) > 0);
  return { dir: ctx.dir.path, summary, strictFailed, interrupted: run.interrupted };
}

async function runOneLevel(
  config: RunConfig,
  plan: LevelPlan,
  model: string,
  originMs: number,
  ctx: RunContext,
  telemetry: Telemetry,
): Promise<LevelSummary> {
  const client = new StreamingClient({
    baseUrl: ctx.baseUrl,
    endpoint: config.endpoint,
    model,
    timeoutMs: config.timeoutMs,
    maxConnections: plan.connections,
    ignoreEos: false,
    exactOutput: config.exactOutput,
    keepText: config.clientTokenCheck,
    ...(ctx.apiKey === undefined ? {} : { apiKey: ctx.apiKey }),
  });
  const records: RequestRecord[] = [];
  const texts = new Map<string, string>();
  const label = plan.load.kind === "concurrency" ? `concurrency ${plan.load.concurrency}` : `rate ${plan.load.rate_per_s}/s`;
  ctx.emit({ kind: "level-start", level: plan.level, label, requests: plan.requests, warmup: config.warmup });
  let done = 0;
  let errors = 0;
  const keep = (record: RequestRecord, text: string | undefined): void => {
    ctx.dir.appendRecord(record);
    records.push(record);
    if (text !== undefined && texts.size < MAX_CHECKED_TEXTS && record.outcome === "ok") texts.set(record.id, text);
  };
  try {
    if (config.warmup > 0) {
      const warmups = ctx.source.take(plan.level, config.warmup);
      await Promise.all(
        warmups.map(async (spec, i) => {
          const sent = await client.send(spec, { id: `${plan.level}-w${i}`, level: plan.level, warmup: true, scheduledMs: monotonicNowMs() - originMs, originMs }, ctx.signal);
          keep(sent.record, undefined);
        }),
      );
    }
    const specs = ctx.source.levelSpecs(plan.level, plan.requests, plan.durationMs);
    await telemetry.mark();
    const windowStartMs = monotonicNowMs() - originMs;
    const load: LoadLevel =
      plan.load.kind === "concurrency"
        ? { kind: "concurrency", concurrency: plan.load.concurrency, requests: plan.requests }
        : {
            kind: "rate",
            ratePerSec: plan.load.rate_per_s,
            arrival: config.arrival,
            burstiness: config.burstiness,
            requests: plan.requests,
            random: createRng(config.seed * 7919 + plan.level + 1),
            ...(config.maxConcurrency === undefined ? {} : { maxConcurrency: config.maxConcurrency }),
          };
    if (plan.durationMs !== undefined) load.durationMs = plan.durationMs;
    const result = await runLevel(load, {
      clock: realClock,
      signal: ctx.signal,
      dispatch: async (job, signal) => {
        const spec = specs.get(job.index);
        const sent = await client.send(
          spec,
          { id: `${plan.level}-${job.index}`, level: plan.level, warmup: false, scheduledMs: job.scheduledAtMs - originMs, originMs },
          signal,
        );
        keep(sent.record, sent.text);
        done++;
        if (sent.record.outcome === "error") errors++;
        ctx.emit({ kind: "request-done", level: plan.level, done, errors, requests: plan.requests });
      },
    });
    await telemetry.mark();
    const windowEndMs = monotonicNowMs() - originMs;
    const summary = aggregateLevel(records, {
      level: plan.level,
      load: plan.load,
      percentiles: config.percentiles,
      slo: config.slo,
      strict: config.strict,
      endpoint: config.endpoint,
      interrupted: result.interrupted,
    });
    if (specs.reused > 0) {
      summary.warnings.push(`${specs.reused} prompts were reused after the pool of ${specs.poolSize}: prefix caching may flatter this level`);
    }
    addClientTokenCheck(summary, records, texts, ctx.tokenizer);
    telemetry.addToLevel(summary, windowStartMs, windowEndMs);
    return summary;
  } finally {
    await client.close();
  }
}

const MAX_CHECKED_TEXTS = 2000;

/** Cross-checks server usage.completion_tokens against the client tokenizer's count of the text received. */
function addClientTokenCheck(
  summary: LevelSummary,
  records: readonly RequestRecord[],
  texts: ReadonlyMap<string, string>,
  tokenizer: TextTokenizer,
): void {
  if (texts.size === 0) return;
  let checked = 0;
  let differing = 0;
  let maxAbsDiff = 0;
  for (const r of records) {
    const text = texts.get(r.id);
    const serverCount = r.usage?.completionTokens;
    if (text === undefined || serverCount === undefined) continue;
    const clientCount = tokenizer.count(text);
    checked++;
    const diff = Math.abs(clientCount - serverCount);
    if (diff > 0) differing++;
    maxAbsDiff = Math.max(maxAbsDiff, diff);
  }
  summary.client_token_check = { checked, differing, max_abs_diff: maxAbsDiff, tokenizer: tokenizer.name };
  if (differing > 0) {
    summary.warnings.push(
      `client tokenizer (${tokenizer.name}) counts differ from server usage on ${differing} of ${checked} completions (max ${maxAbsDiff} tokens); re-tokenising text is not always exact, check --tokenizer matches the model`,
    );
  }
}
