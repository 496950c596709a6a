// Owns predict's small pieces: the virtual-time SchedulerClock over the load's VirtualClock, the
// workload cache calibration replays, the request body, the RequestRecord built from emission
// times, and the level's load schedule (as run-level.ts builds it for `run`).

import type { RequestRecord } from "../client/record.js";
import type { VirtualClock } from "../load/virtual-clock.js";
import type { PromptKeys, SchedulerClock, VirtualResult } from "../sim/index.js";
import type { RequestSpec, SessionSpec } from "../workload/request-spec.js";
import type { RequestSource } from "./request-source.js";

/** Virtual time for the engine: its wake-ups are VirtualClock timers, so load and engine share one timeline. */
export function virtualSchedulerClock(vc: VirtualClock): SchedulerClock {
  return {
    nowMs: () => vc.nowMs(),
    wakeAt(atMs, fn) {
      // The engine cancels only when it stops, so a flag is enough (no AbortController per step).
      let cancelled = false;
      void vc.sleepUntil(atMs).then(() => {
        if (!cancelled) fn();
      });
      return () => {
        cancelled = true;
      };
    },
  };
}

/** Built once, replayed by later predictions of the same config: prompts and their block hashes. */
export interface PredictCache {
  specs: Map<string, RequestSpec[]>;
  hashes: Map<string, PromptKeys>;
  /** Each cached level's note that prompts were clipped to max_model_len. */
  clipped: Map<string, string>;
}

export function newPredictCache(): PredictCache {
  return { specs: new Map(), hashes: new Map(), clipped: new Map() };
}

/** The parts of RequestSource predict uses, replayed from the cache when one is given. */
export interface SpecSource {
  label(): string;
  readonly trace: RequestSource["trace"];
  take(count: number): RequestSpec[];
  takeSessions(count: number): SessionSpec[];
  levelSpecs(
    requests: number,
    durationMs: number | undefined,
    load: { kind: string; value: number },
  ): { get(index: number): RequestSpec; clipped: string | undefined };
}

export function cachedSource(source: RequestSource, cache: PredictCache | undefined): SpecSource {
  if (cache === undefined) return source;
  let call = 0;
  const memo = (make: () => RequestSpec[]): RequestSpec[] => {
    const key = String(call++);
    let specs = cache.specs.get(key);
    if (specs === undefined) {
      specs = make();
      cache.specs.set(key, specs);
    }
    return specs;
  };
  return {
    label: () => source.label(),
    trace: source.trace,
    take: (count) => memo(() => source.take(count)),
    // Sessions are rebuilt each time (deterministic, and cheap next to the turns they drive).
    takeSessions: (count) => source.takeSessions(count),
    levelSpecs(requests, durationMs, load) {
      const key = String(call);
      const pool = memo(() => {
        const specs = source.levelSpecs(requests, durationMs, load);
        if (specs.clipped !== undefined) cache.clipped.set(key, specs.clipped);
        return Array.from({ length: specs.poolSize }, (_, i) => specs.get(i));
      });
      return {
        get: (index) => (index < pool.length ? (pool[index] as RequestSpec) : { ...(pool[index % pool.length] as RequestSpec), index }),
        clipped: cache.clipped.get(key),
      };
    },
  };
}

export function requestBody(spec: RequestSpec, model: string, exactOutput: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { model, stream: true, stream_options: { include_usage: true } };
  if (spec.messages !== undefined) body["messages"] = spec.messages;
  else body["prompt"] = spec.prompt ?? "";
  const target = spec.targetOutputTokens;
  if (target !== undefined) {
    body["max_tokens"] = target;
    if (exactOutput) {
      body["min_tokens"] = target;
      body["ignore_eos"] = true;
    }
  }
  return body;
}

/** The record a client would have made: every time is an emission time (loopback, zero network delay). */
export function recordOf(r: VirtualResult, spec: RequestSpec, meta: { id: string; level: number; warmup: boolean; scheduledAtMs: number }): RequestRecord {
  const record: RequestRecord = {
    id: meta.id,
    level: meta.level,
    index: spec.index,
    warmup: meta.warmup,
    scheduledMs: meta.scheduledAtMs,
    sentMs: r.arrivalMs,
    endMs: r.chunks.at(-1)?.atMs ?? r.arrivalMs,
    tokenChunkMs: r.chunks.map((c) => c.atMs),
    outcome: r.ok ? (r.finishReason === "abort" ? "aborted" : "ok") : "error",
    targetInputTokens: spec.inputTokens,
    outputChars: r.chunks.reduce((a, c) => a + c.chars, 0),
  };
  if (spec.targetOutputTokens !== undefined) record.targetOutputTokens = spec.targetOutputTokens;
  if (!r.ok) {
    const status = r.error?.status ?? 500;
    record.error = { code: `http_${status}`, httpStatus: status, message: r.error?.message ?? "refused" };
    return record;
  }
  record.headersMs = r.arrivalMs;
  const first = r.chunks[0]?.atMs;
  if (first !== undefined) {
    record.firstTokenMs = first;
    record.firstContentMs = first;
  }
  record.finishReason = r.finishReason;
  record.usage = { promptTokens: r.promptTokens, completionTokens: r.completionTokens };
  return record;
}
