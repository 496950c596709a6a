// Owns running one level: warmup, the load schedule (single requests or multi-turn sessions),
// the over-saturation guard, and the level summary with its extras. Records are appended to
// requests.jsonl as they complete, with `turn` for multi-turn sessions.

import { monotonicNowMs, realClock } from "../clock.js";
import type { RunConfig } from "../config/run-config.js";
import { StreamingClient, type CancelAfter, type ClientOptions, type SendResult } from "../client/http-client.js";
import type { RequestRecord } from "../client/record.js";
import type { LoadLevel } from "../load/runner.js";
import { SaturationGuard } from "../load/saturation.js";
import { ConnectionBackoff } from "../load/connection-backoff.js";
import { RefusalStop } from "../load/refusal-stop.js";
import { levelTargetFailure } from "./run-verdict.js";
import type { LevelSummary } from "../metrics/level.js";
import type { RunDirectory } from "../report/run-dir.js";
import type { PromptCounter } from "../workload/chat-template.js";
import { createRng } from "../workload/random.js";
import type { ChatMessage, RequestSpec } from "../workload/request-spec.js";
import type { TextTokenizer } from "../workload/tokenizer.js";
import { addClientTokenCheck } from "./client-token-check.js";
import { bestCasePrefixHitRate, serverCountedTokens, summarizeLevel, turnSplit, usageCache, WARN_USAGE_CACHE_HIT_RATE } from "./level-extras.js";
import type { LevelPlan } from "./levels.js";
import type { ProgressListener } from "./progress.js";
import type { RequestSource } from "./request-source.js";
import { mapLimit, type ServerTokenizer } from "./server-tokenize.js";
import { runSession } from "./session-run.js";
import type { Telemetry } from "./telemetry.js";
import { runLevelScaled, type ThreadSupport } from "../scale/level-seam.js";
import { isShardWarmup, type ScaleContext } from "../scale/scale-context.js";

export interface LevelContext {
  config: RunConfig;
  model: string;
  originMs: number;
  tokenizer: TextTokenizer;
  counter: PromptCounter;
  serverTokenizer: ServerTokenizer | undefined;
  maxModelLen: number | undefined;
  source: RequestSource;
  baseUrl: string;
  apiKey: string | undefined;
  dir: RunDirectory;
  emit: ProgressListener;
  signal: AbortSignal;
  telemetry: Telemetry;
  scale: ScaleContext;
}

const MAX_CHECKED_TEXTS = 2000;

export async function runOneLevel(plan: LevelPlan, ctx: LevelContext): Promise<LevelSummary> {
  const { config } = ctx;
  const sessions = config.turns !== undefined;
  const clientOptions: ClientOptions = {
    baseUrl: ctx.baseUrl,
    endpoint: config.endpoint,
    model: ctx.model,
    timeoutMs: config.timeoutMs,
    maxConnections: plan.connections,
    ignoreEos: false,
    exactOutput: config.exactOutput,
    keepText: config.clientTokenCheck || sessions,
    maxEventBytes: config.maxEventBytes,
    ...(config.extraBody === undefined ? {} : { extraBody: config.extraBody }),
    ...(ctx.apiKey === undefined ? {} : { apiKey: ctx.apiKey }),
  };
  const client = new StreamingClient(clientOptions);
  const records: RequestRecord[] = [];
  const texts = new Map<string, string>();
  const turnOf = new Map<string, number>();
  const label = plan.load.kind === "concurrency" ? `concurrency ${plan.load.concurrency}` : `rate ${plan.load.rate_per_s}/s`;
  ctx.emit({
    kind: "level-start",
    level: plan.level,
    label: plan.role === "level" ? label : `${plan.role} ${label}`,
    requests: plan.requests,
    warmup: config.warmup,
  });
  let done = 0;
  let errors = 0;
  let inFlight = 0;
  // A server that stopped accepting connections: back off, then end the level (saying since when).
  const backoff = new ConnectionBackoff();
  const levelStartMs = monotonicNowMs();
  let serverGone: string | undefined;
  // A server that refuses every request (a wrong key, model or URL): end the level, saying so.
  const refusals = new RefusalStop();
  const noteConnection = (r: RequestRecord): void => {
    if (r.outcome === "error" && r.error?.code === "connection" && r.headersMs === undefined) backoff.failed(monotonicNowMs());
    else if (r.headersMs !== undefined) backoff.answered(monotonicNowMs());
    if (!r.warmup) refusals.noted(r.outcome === "error" ? r.error?.httpStatus : undefined, r.outcome === "ok", r.error?.message);
  };
  const guard = new SaturationGuard({
    maxErrorRate: config.maxErrorRate,
    detectQueueGrowth: plan.load.kind === "rate" && (config.stopOnSaturation ?? config.profile !== "levels"),
  });
  const keep = (record: RequestRecord, text: string | undefined, turn?: number): void => {
    ctx.dir.appendRecord(turn === undefined ? record : ({ ...record, turn } as RequestRecord));
    records.push(record);
    if (turn !== undefined) turnOf.set(record.id, turn);
    if (text !== undefined && config.clientTokenCheck && texts.size < MAX_CHECKED_TEXTS && record.outcome === "ok") texts.set(record.id, text);
  };
  const meta = (id: string, scheduledAtMs: number, warmup = false) => ({
    id,
    level: plan.level,
    warmup,
    scheduledMs: scheduledAtMs - ctx.originMs,
    originMs: ctx.originMs,
    // Text is kept only where it is used: sessions' histories, and the texts the token check will count.
    keepText: sessions || (config.clientTokenCheck && !warmup && texts.size < MAX_CHECKED_TEXTS),
  });
  /** Sends one measured request and feeds the progress line and the saturation guard. */
  const sendMeasured = async (
    spec: RequestSpec,
    id: string,
    scheduledAtMs: number,
    signal: AbortSignal,
    turn?: number,
    messages?: ChatMessage[],
  ): Promise<SendResult> => {
    const inFlightAtSend = ++inFlight;
    const cancel = cancelsThis(config, plan.level, id);
    const sent = await client.send(spec, cancel === undefined ? meta(id, scheduledAtMs) : { ...meta(id, scheduledAtMs), cancelAfter: cancel }, signal);
    inFlight--;
    // Multi-turn histories are known only now; the server counts them after the send, off the clock.
    if (ctx.serverTokenizer !== undefined && messages !== undefined) sent.record.targetInputTokens = await ctx.serverTokenizer.chat(messages);
    keep(sent.record, sent.text, turn);
    noteConnection(sent.record);
    done++;
    if (sent.record.outcome === "error") errors++;
    const r = sent.record;
    guard.finished({ ok: r.outcome === "ok", waitMs: r.firstTokenMs === undefined ? undefined : r.firstTokenMs - r.scheduledMs, inFlightAtSend });
    ctx.emit({ kind: "request-done", level: plan.level, done, errors, requests: plan.requests });
    return sent;
  };
  try {
    if (config.warmup > 0) {
      const warmups = ctx.source.take(config.warmup);
      bestCasePrefixHitRate(warmups, ctx.source.seenGroups);
      await Promise.all(
        warmups.map(async (spec, i) => {
          if (!isShardWarmup(i, ctx.scale.shard)) return;
          const sent = await client.send(spec, meta(`${plan.level}-w${i}`, monotonicNowMs(), true), ctx.signal);
          keep(sent.record, undefined);
        }),
      );
    }
    const specs = sessions ? undefined : ctx.source.levelSpecs(plan.requests, plan.durationMs, { kind: plan.probe.kind, value: valueOf(plan) });
    const sessionSpecs = sessions ? ctx.source.takeSessions(Number.isFinite(plan.requests) ? plan.requests : 1024) : undefined;
    const levelSpecList = specs === undefined ? [] : Array.from({ length: specs.poolSize }, (_, i) => specs.get(i));
    if (ctx.serverTokenizer !== undefined && specs !== undefined) {
      const server = ctx.serverTokenizer;
      await mapLimit(levelSpecList, 16, async (spec) => {
        if (spec.messages !== undefined) spec.inputTokens = await server.chat(spec.messages);
        else if (spec.prompt !== undefined && server.text !== undefined) spec.inputTokens = await server.text(spec.prompt);
      });
    }
    await ctx.scale.beforeMeasured(plan.level, ctx.signal);
    await ctx.telemetry.mark();
    const windowStartMs = monotonicNowMs() - ctx.originMs;
    const threads: ThreadSupport | undefined =
      specs === undefined
        ? undefined
        : {
            client: clientOptions,
            originMs: ctx.originMs,
            specAt: (i) => specs.get(i),
            poolSize: specs.poolSize,
            maxTexts: MAX_CHECKED_TEXTS,
            onRecord: (record, text) => {
              keep(record, text);
              noteConnection(record);
              done++;
              if (record.outcome === "error") errors++;
              ctx.emit({ kind: "request-done", level: plan.level, done, errors, requests: plan.requests });
            },
          };
    const scaleInput = {
      level: plan.level,
      seed: config.seed,
      connections: plan.connections,
      warmup: config.warmup,
      scale: ctx.scale,
      ...(threads === undefined ? {} : { threads }),
    };
    const result = await runLevelScaled(
      loadLevelOf(plan, config),
      {
        clock: realClock,
        signal: ctx.signal,
        shouldStop: () => {
          const verdict = guard.verdict();
          if (verdict !== undefined) return verdict;
          serverGone ??= backoff.verdict(monotonicNowMs(), levelStartMs) ?? refusals.verdict();
          return serverGone;
        },
        pace: async (signal) => {
          const delayMs = backoff.delayMs();
          if (delayMs > 0) await realClock.sleepUntil(monotonicNowMs() + delayMs, signal);
        },
        dispatch: async (job, signal) => {
          if (sessionSpecs === undefined) {
            await sendMeasured((specs as NonNullable<typeof specs>).get(job.index), `${plan.level}-${job.index}`, job.scheduledAtMs, signal);
            return;
          }
          const session = sessionSpecs[job.index % sessionSpecs.length];
          if (session === undefined) return;
          await runSession(session, job.scheduledAtMs, {
            clock: realClock,
            signal,
            thinkTimeMs: config.thinkTimeMs,
            counter: ctx.counter,
            maxModelLen: ctx.maxModelLen,
            send: async (spec, turn, scheduledAtMs, messages) => {
              const sent = await sendMeasured(spec, `${plan.level}-${job.index}.${turn}`, scheduledAtMs, signal, turn, messages);
              return { ok: sent.record.outcome === "ok", text: sent.text };
            },
          });
        },
      },
      scaleInput,
    );
    await ctx.telemetry.mark();
    const windowEndMs = monotonicNowMs() - ctx.originMs;
    const summary = summarizeLevel(records, config, plan, {
      templateExact: ctx.counter.method !== "message-contents" || ctx.serverTokenizer !== undefined,
      interrupted: result.interrupted,
    });
    if (result.stoppedEarly !== undefined) {
      summary.stopped_early = result.stoppedEarly;
      summary.warnings.push(`level stopped early: ${result.stoppedEarly}`);
    }
    const errorRateStop = result.stoppedEarly !== undefined && result.stoppedEarly.includes("--max-error-rate") ? result.stoppedEarly : undefined;
    const serverStop = serverGone !== undefined && result.stoppedEarly === serverGone ? serverGone : undefined;
    const targetFailed = serverStop ?? errorRateStop ?? levelTargetFailure(summary, config.maxErrorRate);
    if (targetFailed !== undefined && !(result.interrupted && summary.requests.completed === 0 && summary.requests.errored === 0))
      summary.target_failed = targetFailed;
    summary.warnings.push(...ctx.scale.levelWarnings(plan.level));
    if (specs?.clipped !== undefined) summary.warnings.push(specs.clipped);
    if (specs !== undefined && specs.reused > 0) {
      summary.warnings.push(`${specs.reused} prompts were reused after the pool of ${specs.poolSize}: prefix caching may flatter this level`);
    }
    if (sessions) summary.by_turn = turnSplit(records, turnOf, config.percentiles);
    addClientTokenCheck(summary, records, texts, ctx.tokenizer);
    ctx.telemetry.addToLevel(summary, windowStartMs, windowEndMs, serverCountedTokens(records));
    const cache = usageCache(records);
    if (cache !== undefined) {
      summary.usage_cache = cache;
      if (
        cache.hit_rate >= WARN_USAGE_CACHE_HIT_RATE &&
        config.prefixGroups === undefined &&
        config.sharedPrefixTokens === 0 &&
        config.prompt === undefined &&
        config.turns === undefined
      ) {
        const hint =
          config.extraBody?.["cache_prompt"] === undefined
            ? `; another --seed, or --extra-body '{"cache_prompt":false}' on llama.cpp, measures uncached prompts`
            : "";
        summary.warnings.push(
          `the server served ${(cache.hit_rate * 100).toFixed(1)}% of prompt tokens from its prefix cache (usage cached_tokens): TTFT and prompt throughput describe cached prompts${hint}`,
        );
      }
    }
    const cancelled = records.filter((r) => r.cancelled !== undefined && !r.warmup).length;
    if (config.cancelRate !== undefined && config.cancelAfter !== undefined)
      summary.cancelled = { requests: cancelled, rate: config.cancelRate, after: formatCancelAfter(config.cancelAfter) };
    const retries = records.filter((r) => r.clientRetry !== undefined && !r.warmup).length;
    if (retries > 0) summary.client_retries = retries;
    const sent = levelSpecList.slice(0, result.dispatched);
    // --prefix-groups, or --shared-prefix-tokens (one group: every prompt starts with the same text).
    const prefix =
      config.prefixGroups !== undefined && config.prefixTokens !== undefined
        ? { groups: config.prefixGroups, tokens: config.prefixTokens }
        : (config.sharedPrefixTokens ?? 0) > 0 && sent.some((s) => s.group !== undefined)
          ? { groups: 1, tokens: config.sharedPrefixTokens ?? 0 }
          : undefined;
    if (prefix !== undefined) {
      summary.prefix_cache = {
        groups: prefix.groups,
        prefix_tokens: prefix.tokens,
        best_case_hit_rate: round4(bestCasePrefixHitRate(sent, ctx.source.seenGroups)),
        measured_hit_rate: summary.server?.prefix_cache_hit_rate ?? summary.usage_cache?.hit_rate ?? null,
      };
    }
    return summary;
  } finally {
    await client.close();
  }
}

function valueOf(plan: LevelPlan): number {
  return plan.probe.kind === "rate" ? plan.probe.ratePerSec : plan.probe.concurrency;
}

/** The level's schedule for the load runner; `predict` uses the same one, so both send alike. */
export function loadLevelOf(plan: LevelPlan, config: RunConfig): LoadLevel {
  const common = {
    requests: plan.requests,
    ...(plan.durationMs === undefined ? {} : { durationMs: plan.durationMs }),
    ...(config.rampMs === undefined ? {} : { rampMs: config.rampMs }),
  };
  const cap = config.maxConcurrency === undefined ? {} : { maxConcurrency: config.maxConcurrency };
  if (plan.scheduleMs !== undefined) return { kind: "schedule", offsetsMs: plan.scheduleMs, ...cap, ...common };
  if (plan.probe.kind === "concurrency") return { kind: "concurrency", concurrency: plan.probe.concurrency, ...common };
  return {
    kind: "rate",
    ratePerSec: plan.probe.ratePerSec,
    arrival: config.arrival,
    burstiness: config.burstiness,
    random: createRng(config.seed * 7919 + plan.level + 1),
    ...cap,
    ...common,
  };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/**
 * --cancel-rate: whether request `id` of `level` is one the impatient users cancel, and when. A
 * hash of the seed, level and id decides, so the same seed cancels the same requests.
 */
export function cancelsThis(config: RunConfig, level: number, id: string): CancelAfter | undefined {
  if (config.cancelRate === undefined || config.cancelAfter === undefined) return undefined;
  let h = (config.seed * 2654435761 + level * 40503) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 3266489909) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32 < config.cancelRate ? config.cancelAfter : undefined;
}

export function formatCancelAfter(c: CancelAfter): string {
  return c.kind === "ms" ? `${c.ms} ms` : `${c.tokens} tokens`;
}
