// Owns `servebench predict`: the same workload, load profile and levels as `run`, but dispatched to
// the simulated engine in virtual time (no HTTP, no sleeping); RequestRecords are built from the
// engine's emission times and summarised and written exactly like a measured run (run.predicted).

import { setMaxListeners } from "node:events";
import { join } from "node:path";
import type { RequestRecord } from "../client/record.js";
import { type RunConfig, type RunConfigInput } from "../config/run-config.js";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import { formatSlo } from "../config/units.js";
import { BenchError } from "../errors.js";
import type { LevelOutcome } from "../load/profiles/profile.js";
import { runLevel } from "../load/runner.js";
import { VirtualClock } from "../load/virtual-clock.js";
import type { LevelSummary } from "../metrics/level.js";
import { runVerdict } from "./run-verdict.js";
import { RunDirectory } from "../report/run-dir.js";
import { SUMMARY_SCHEMA, type RunInfo, type RunSummary } from "../results/run-summary.js";
import { VirtualSimulator, answerText, describePreset } from "../sim/index.js";
import type { SimulatorOptions, VirtualResult } from "../sim/index.js";
import { createPromptCounter, type PromptCounter } from "../workload/chat-template.js";
import type { RequestSpec } from "../workload/request-spec.js";
import { loadTokenizer, type TextTokenizer } from "../workload/tokenizer.js";
import { summarizeLevel, turnSplit } from "./level-extras.js";
import { runSession } from "./session-run.js";
import { sloSearchSummary } from "./slo-summary.js";
import { createProfile, planLevel, type LevelPlan } from "./levels.js";
import { cachedSource, recordOf, requestBody, virtualSchedulerClock } from "./predict-parts.js";
import { loadLevelOf } from "./run-level.js";
import type { PredictCache, SpecSource } from "./predict-parts.js";
import type { ProgressListener } from "./progress.js";
import { RequestSource } from "./request-source.js";
import { simChatTemplate } from "./target.js";
import type { RunResult } from "./run-benchmark.js";
import { servebenchVersion } from "./version.js";
import { usesMessages } from "../workload/request-spec.js";

export { newPredictCache, virtualSchedulerClock } from "./predict-parts.js";
export type { PredictCache } from "./predict-parts.js";

/** Simulator settings for a prediction; the clock, tokenizer and model name come from the run. */
export type PredictSimOptions = Omit<SimulatorOptions, "clock" | "host" | "port" | "trace" | "spinMs">;

export interface PredictHooks {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Reuse an already loaded tokenizer (calibration runs many predictions). */
  tokenizer?: TextTokenizer;
  /** Write no run directory (calibration). */
  noWrite?: boolean;
  /** Reuse workload specs and prompt hashes across predictions of the same config (calibration). */
  cache?: PredictCache;
}

export interface PredictResult extends RunResult {
  /** Simulated seconds over wall-clock seconds. */
  speedup: number;
  simulatedS: number;
  wallS: number;
  /** CPU seconds spent running the levels (engine + load schedule), without tokenizer loading and prompt building. */
  levelsCpuS: number;
}

/**
 * Predicts a run: same config as runBenchmark (without `url`), plus the simulated server.
 * @example
 * const { summary } = await predictRun({ concurrency: [1, 40], inputTokens: 10000, outputTokens: 800 },
 *   { preset: { gpu: "RTX-PRO-6000", model: "Qwen/Qwen3-32B-FP8" } });
 */
export async function predictRun(input: RunConfigInput, sim: PredictSimOptions, hooks: PredictHooks = {}): Promise<PredictResult> {
  const config = resolveRunConfig(input);
  const signal = hooks.signal ?? new AbortController().signal;
  // Every in-flight request listens on this one signal.
  setMaxListeners(0, signal);
  if (config.url !== undefined) throw new BenchError("E_BAD_FLAG", "--url: predict runs the simulated engine; it never calls a server", { where: "--url" });
  const wallStart = performance.now();
  const tokenizer = hooks.tokenizer ?? (await loadTokenizer(config.tokenizer));
  const counter = createPromptCounter(tokenizer, config.chatTemplate === "server" ? "auto" : config.chatTemplate);
  const vc = new VirtualClock(0);
  const levelsCpu = { s: 0 };
  const model = config.model ?? sim.model ?? sim.preset?.model ?? "sim-model";
  // The workload already counted each completions prompt exactly as the server would: reuse that
  // count instead of tokenizing 10k-token prompts twice. Prefix blocks hash pseudo-tokens of the text.
  const known = new Map<string, number>();
  const server = new VirtualSimulator(
    {
      promptTokenCounter: (text: string) => known.get(text) ?? tokenizer.count(text) + tokenizer.specialTokensAdded,
      // The simulated server applies the model's chat template, as the one `run` embeds (target.ts).
      ...simChatTemplate(tokenizer),
      ...sim,
      model,
      clock: virtualSchedulerClock(vc),
    },
    undefined,
    hooks.cache?.hashes,
  );
  const dir =
    hooks.noWrite === true
      ? undefined
      : new RunDirectory(config.out ?? join("results", `predict-${new Date().toISOString().replace(/[:]/g, "-").replace(/\..+$/, "")}`));
  try {
    const summary = await predictLevels(config, {
      server,
      known,
      cache: hooks.cache,
      levelsCpu,
      vc,
      tokenizer,
      counter,
      model,
      dir,
      emit: hooks.onProgress ?? (() => {}),
      signal,
    });
    const wallS = (performance.now() - wallStart) / 1000;
    const simulatedS = vc.nowMs() / 1000;
    return {
      dir: dir?.path ?? "",
      summary,
      strictFailed: false,
      interrupted: summary.run.interrupted,
      verdict: runVerdict(summary.run, summary.levels),
      speedup: simulatedS / Math.max(wallS, 1e-9),
      simulatedS,
      wallS,
      levelsCpuS: levelsCpu.s,
    };
  } finally {
    server.stop();
    dir?.close();
  }
}

interface PredictContext {
  server: VirtualSimulator;
  /** Prompt text → the workload's own token count, while its request is being parsed. */
  known: Map<string, number>;
  cache: PredictCache | undefined;
  levelsCpu: { s: number };
  vc: VirtualClock;
  tokenizer: TextTokenizer;
  counter: PromptCounter;
  model: string;
  dir: RunDirectory | undefined;
  emit: ProgressListener;
  signal: AbortSignal;
}

async function predictLevels(config: RunConfig, ctx: PredictContext): Promise<RunSummary> {
  const maxModelLen = ctx.server.options.maxModelLen;
  const source = cachedSource(RequestSource.create(config, { tokenizer: ctx.tokenizer, counter: ctx.counter, maxModelLen }), ctx.cache);
  const preset = ctx.server.options.preset;
  ctx.dir?.writeJson("config.json", {
    ...config,
    model: ctx.model,
    target: "predict",
    predicted: true,
    simulator: preset === undefined ? "simple timing" : describePreset(preset),
  });
  const run: RunInfo = {
    started_at: new Date().toISOString(),
    target: preset === undefined ? "predict (simple timing)" : `predict: ${describePreset(preset)}`,
    embedded_simulator: true,
    model: ctx.model,
    endpoint: config.endpoint,
    tokenizer: ctx.tokenizer.name,
    workload: source.label(),
    strict: config.strict,
    percentiles: config.percentiles,
    seed: config.seed,
    predicted: true,
    interrupted: false,
    max_model_len: maxModelLen,
    profile: config.profile,
  };
  const fixedLengths = config.prompt === undefined && config.dataset === undefined && config.trace === undefined;
  if (fixedLengths && config.inputDist === undefined && config.suffixTokens === undefined) run.input_tokens = config.inputTokens;
  if (fixedLengths && config.outputDist === undefined) run.output_tokens = config.outputTokens;
  if (config.slo.length > 0) run.slo = formatSlo(config.slo);
  const summary: RunSummary = { schema: SUMMARY_SCHEMA, servebench_version: servebenchVersion(), run, levels: [] };
  const profile = createProfile(config, source.trace);
  const history: LevelOutcome[] = [];
  for (let step = profile.next(history); step !== undefined && !ctx.signal.aborted; step = profile.next(history)) {
    const plan = planLevel(config, summary.levels.length, step, source.trace);
    const level = await predictLevel(config, plan, source, ctx);
    summary.levels.push(level);
    history.push({ load: plan.probe, role: plan.role, requestPerS: level.request_per_s, meetsSlo: level.slo_check?.met, stoppedEarly: level.interrupted });
    if (config.profile === "slo-search") Object.assign(run, sloSearchSummary(config, history, summary.levels));
    ctx.dir?.writeSummary(summary);
    ctx.emit({ kind: "level-end", summary: level });
  }
  run.finished_at = new Date().toISOString();
  run.interrupted = ctx.signal.aborted;
  ctx.dir?.writeSummary(summary);
  return summary;
}

async function predictLevel(config: RunConfig, plan: LevelPlan, source: SpecSource, ctx: PredictContext): Promise<LevelSummary> {
  const records: RequestRecord[] = [];
  const label = plan.load.kind === "concurrency" ? `concurrency ${plan.load.concurrency}` : `rate ${plan.load.rate_per_s}/s`;
  ctx.emit({ kind: "level-start", level: plan.level, label, requests: plan.requests, warmup: config.warmup });
  const keep = (record: RequestRecord): void => {
    ctx.dir?.appendRecord(record);
    records.push(record);
  };
  const exchange = async (
    spec: RequestSpec,
    id: string,
    scheduledAtMs: number,
    warmup: boolean,
    signal: AbortSignal,
  ): Promise<{ record: RequestRecord; result: VirtualResult }> => {
    if (spec.prompt !== undefined && !usesMessages(config.endpoint)) ctx.known.set(spec.prompt, spec.inputTokens);
    const pending = ctx.server.request(config.endpoint, requestBody(spec, ctx.model, config.exactOutput), signal);
    if (spec.prompt !== undefined) ctx.known.delete(spec.prompt);
    const result = await pending;
    return { record: recordOf(result, spec, { id, level: plan.level, warmup, scheduledAtMs }), result };
  };
  const send = async (spec: RequestSpec, id: string, scheduledAtMs: number, warmup: boolean, signal: AbortSignal): Promise<RequestRecord> =>
    (await exchange(spec, id, scheduledAtMs, warmup, signal)).record;
  if (config.warmup > 0) {
    const warmups = source.take(config.warmup);
    const at = ctx.vc.nowMs();
    const done = await Promise.all(warmups.map((spec, i) => send(spec, `${plan.level}-w${i}`, at, true, ctx.signal)));
    done.forEach(keep);
  }
  // Multi-turn: a job is a session, as in run (session-run.ts drives its turns on the virtual clock).
  const sessions = config.turns !== undefined ? source.takeSessions(Number.isFinite(plan.requests) ? plan.requests : 1024) : undefined;
  const specs =
    sessions === undefined
      ? source.levelSpecs(plan.requests, plan.durationMs, {
          kind: plan.probe.kind,
          value: plan.probe.kind === "rate" ? plan.probe.ratePerSec : plan.probe.concurrency,
        })
      : undefined;
  const turnOf = new Map<string, number>();
  const before = { ...ctx.server.engine.prefixCache, preemptions: ctx.server.engine.preemptions };
  let done = 0;
  let errors = 0;
  const finished = (record: RequestRecord): void => {
    keep(record);
    done++;
    if (record.outcome === "error") errors++;
    ctx.emit({ kind: "request-done", level: plan.level, done, errors, requests: plan.requests });
  };
  const cpuBefore = process.cpuUsage();
  const result = await runLevel(loadLevelOf(plan, config), {
    clock: ctx.vc,
    signal: ctx.signal,
    dispatch: async (job, signal) => {
      if (specs !== undefined) {
        finished(await send(specs.get(job.index), `${plan.level}-${job.index}`, job.scheduledAtMs, false, signal));
        return;
      }
      const session = sessions?.[job.index % sessions.length];
      if (session === undefined) return;
      await runSession(session, job.scheduledAtMs, {
        clock: ctx.vc,
        signal,
        thinkTimeMs: config.thinkTimeMs,
        counter: ctx.counter,
        maxModelLen: ctx.server.options.maxModelLen,
        send: async (spec, turn, scheduledAtMs) => {
          const { record, result: answer } = await exchange(spec, `${plan.level}-${job.index}.${turn}`, scheduledAtMs, false, signal);
          turnOf.set(record.id, turn);
          finished(record);
          return { ok: record.outcome === "ok", text: answerText(answer) };
        },
      });
    },
  });
  const cpu = process.cpuUsage(cpuBefore);
  ctx.levelsCpu.s += (cpu.user + cpu.system) / 1e6;
  const summary = summarizeLevel(records, config, plan, { templateExact: true, interrupted: result.interrupted });
  const after = ctx.server.engine.prefixCache;
  const queries = after.queries - before.queries;
  summary.server = {
    prefix_cache_hit_rate: queries > 0 ? Math.round(((after.hits - before.hits) / queries) * 10_000) / 10_000 : null,
    preemptions: ctx.server.engine.preemptions - before.preemptions,
  };
  if (specs?.clipped !== undefined) summary.warnings.push(specs.clipped);
  if (sessions !== undefined) summary.by_turn = turnSplit(records, turnOf, config.percentiles);
  summary.warnings.push("predicted by the simulated engine in virtual time, not measured");
  return summary;
}
