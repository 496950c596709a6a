// Owns one benchmark run end to end: the only module that wires workload → load → client →
// metrics → report (and telemetry). Library entry point: runBenchmark(config).

import { setMaxListeners } from "node:events";
import { join } from "node:path";
import { registerSecret } from "../config/redact.js";
import { type RunConfig, type RunConfigInput } from "../config/run-config.js";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import { formatSlo } from "../config/units.js";
import { BenchError, isBenchError } from "../errors.js";
import { ProbeError } from "../client/probe-request.js";
import type { LevelOutcome } from "../load/profiles/profile.js";
import type { LevelSummary } from "../metrics/level.js";
import { assertNoRunIn, RunDirectory } from "../report/run-dir.js";
import { SUMMARY_SCHEMA, type RunInfo, type RunSummary, type SimulatorInfo } from "../results/run-summary.js";
import { createPromptCounter, type PromptCounter } from "../workload/chat-template.js";
import { loadTokenizer, type TextTokenizer } from "../workload/tokenizer.js";
import { createProfile, planLevel, type LevelPlan } from "./levels.js";
import type { ProgressListener } from "./progress.js";
import { RequestSource } from "./request-source.js";
import { leaveRunBarrier, ScaleContext } from "../scale/scale-context.js";
import { runOneLevel, type LevelContext } from "./run-level.js";
import { probeServerTokenize, type ServerTokenizer } from "./server-tokenize.js";
import { sloSearchSummary } from "./slo-summary.js";
import { embeddedSimOptions } from "./embedded-sim.js";
import { discoverModel, openTarget } from "./target.js";
import { Telemetry } from "./telemetry.js";
import type { ResumeState } from "./resume.js";
import { servebenchVersion } from "./version.js";
import { adviceFor, causeLine, checkBaseUrl, type AdviceContext } from "./error-advice.js";
import { runVerdict, type RunVerdict } from "./run-verdict.js";
import { StartupWatch } from "./startup-watch.js";
import { CONNECTION_POLICY } from "../client/http-client.js";
import { usesMessages } from "../workload/request-spec.js";

export interface RunHooks {
  onProgress?: ProgressListener;
  /** Abort to stop the run (Ctrl-C): finished records and summaries are kept. */
  signal?: AbortSignal;
  /** Continue an interrupted run directory (from prepareResume): finished levels are kept, not rerun. */
  resume?: ResumeState;
  /** Environment variables to read the API key from (default: process.env). */
  env?: Record<string, string | undefined>;
}

export interface RunResult {
  dir: string;
  summary: RunSummary;
  /** True when --strict found any token-count mismatch. */
  strictFailed: boolean;
  interrupted: boolean;
  /** What the exit code says: ok, partial, target_failed, strict_mismatch, slo_not_met, interrupted (also summary.run.verdict). */
  verdict: RunVerdict;
  /** Interrupted before the first request: the directory this run created was removed. */
  discarded?: boolean;
}

function defaultOutDir(): string {
  const stamp = new Date().toISOString().replace(/[:]/g, "-").replace(/\..+$/, "");
  return join("results", stamp);
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
  registerSecret(apiKey);
  try {
    return await openAndRun(config, hooks, emit, signal, apiKey);
  } catch (error) {
    try {
      leaveRunBarrier(config, "failed");
    } catch {
      // The barrier directory is unwritable too: the partners' --barrier-timeout covers it; report the first error.
    }
    throw error;
  }
}

async function openAndRun(config: RunConfig, hooks: RunHooks, emit: ProgressListener, signal: AbortSignal, apiKey: string | undefined): Promise<RunResult> {
  // A bad preset (unknown GPU, a model that does not fit) fails here, before the tokenizer loads.
  const sim = config.url === undefined ? embeddedSimOptions(config) : undefined;
  if (config.url !== undefined) checkBaseUrl(config.url);
  // An --out that holds a run is refused before anything starts (--resume continues one).
  const outDir = config.out ?? defaultOutDir();
  if (hooks.resume === undefined) assertNoRunIn(outDir);
  const tokenizer = await loadTokenizer(config.tokenizer, signal);
  // A Ctrl-C during the (CPU-bound) tokenizer load: stop before starting anything.
  if (signal.aborted) throw new BenchError("E_INTERRUPTED", "interrupted while loading the tokenizer");
  const counter = createPromptCounter(tokenizer, config.chatTemplate === "server" ? "auto" : config.chatTemplate);
  const target = await openTarget(config, tokenizer, sim?.options);
  // From here on the target (a listening simulator) is closed whatever fails, the run directory included.
  try {
    if (sim !== undefined) emit({ kind: "info", message: `embedded simulator: ${sim.info.description}` });
    const dir = new RunDirectory(outDir, { resume: hooks.resume !== undefined });
    try {
      const embedded = sim?.info;
      const watch = new StartupWatch(emit, signal);
      const result = await runLevels(config, { tokenizer, counter, baseUrl: target.baseUrl, embedded, apiKey, dir, emit, signal, resume: hooks.resume, watch });
      // Interrupted before the first request: nothing worth keeping, and nothing half-written.
      if (result.interrupted && dir.records === 0 && dir.discardIfEmpty()) return { ...result, discarded: true };
      return result;
    } catch (error) {
      // A run that fails before its first request leaves no directory behind.
      dir.discardIfEmpty();
      throw error;
    } finally {
      dir.close();
    }
  } finally {
    await target.close();
  }
}

interface RunContext {
  tokenizer: TextTokenizer;
  counter: PromptCounter;
  baseUrl: string;
  /** The embedded simulator, when there is no url. */
  embedded: SimulatorInfo | undefined;
  apiKey: string | undefined;
  dir: RunDirectory;
  emit: ProgressListener;
  signal: AbortSignal;
  resume: ResumeState | undefined;
  watch: StartupWatch;
}

interface Discovered {
  model: string;
  maxModelLen: number | undefined;
  /** Every id GET /v1/models listed, when it answered. */
  servedModels: string[] | undefined;
}

/**
 * GET /v1/models: the model id (unless --model) and max_model_len. With --model an HTTP error is
 * tolerated (not every server lists models), but nothing answering is not: that run could only fail.
 * A --model the server does not list is warned about, naming the ones it serves.
 */
async function discover(config: RunConfig, ctx: RunContext): Promise<Discovered> {
  const url = `${ctx.baseUrl.replace(/\/v1$/, "")}/v1/models`;
  const ask = (): Promise<Awaited<ReturnType<typeof discoverModel>>> =>
    ctx.watch.step(`GET ${url}`, (signal) => discoverModel(ctx.baseUrl, ctx.apiKey, signal, config.apiKeyEnv, config.model !== undefined));
  if (config.model === undefined) {
    const found = await ask();
    return { model: found.id, maxModelLen: found.maxModelLen, servedModels: found.ids };
  }
  let found: Awaited<ReturnType<typeof discoverModel>> | undefined;
  try {
    found = await ask();
  } catch (error) {
    // Nothing accepting connections: the run could only fail. A slow, huge or refused listing is only noted.
    const unreachable =
      error instanceof Error && error.cause instanceof ProbeError && (error.cause.kind === "network" || error.cause.kind === "connect_timeout");
    if (isBenchError(error) && (error.code === "E_INTERRUPTED" || unreachable)) throw error;
    ctx.emit({ kind: "info", message: `note: --model ${config.model} not checked: ${(error as Error).message}` });
  }
  if (found !== undefined && found.ids.length > 0 && !found.ids.includes(config.model)) {
    const list = found.ids
      .slice(0, 10)
      .map((id) => `"${id}"`)
      .join(", ");
    // A server listing one model may serve it under any name (llama.cpp does): then only "may".
    const likely = found.ids.length === 1 ? "requests may fail (a server with one model, like llama.cpp, may accept any name)" : "requests will likely fail";
    ctx.emit({
      kind: "info",
      message: `warning: --model "${config.model}" is not among the models ${url} lists (${list}${found.ids.length > 10 ? ", ..." : ""}): ${likely}`,
    });
  }
  // A server serving one model applies its limit to any name it accepts (llama.cpp serves any).
  const applies = found !== undefined && (found.id === config.model || found.listed === 1);
  return { model: config.model, maxModelLen: applies ? found?.maxModelLen : undefined, servedModels: found?.ids };
}

/**
 * The server's own token counts when asked (server) or available (auto): chat prompts after its
 * template, and completions prompts where the server can count text with its special tokens
 * (llama.cpp: a BOS-adding model's +1 is then in every target before the first request).
 */
async function serverCounting(config: RunConfig, ctx: RunContext, model: string): Promise<ServerTokenizer | undefined> {
  if (config.chatTemplate !== "auto" && config.chatTemplate !== "server") return undefined;
  const root = ctx.baseUrl.replace(/\/v1\/?$/, "");
  const server = await ctx.watch.step(`POST ${root}/tokenize`, (signal) => probeServerTokenize(ctx.baseUrl, model, ctx.apiKey, signal));
  if (!usesMessages(config.endpoint)) return server?.text === undefined ? undefined : server;
  if (server === undefined && config.chatTemplate === "server") {
    throw new BenchError("E_BAD_FLAG", `--chat-template server: ${ctx.baseUrl} has no working POST /tokenize (nor llama.cpp's /apply-template)`, {
      where: "--chat-template",
    });
  }
  if (server !== undefined)
    ctx.emit({
      kind: "info",
      message: `prompt tokens counted by the server (${server.method === "tokenize" ? "POST /tokenize" : "POST /apply-template + /tokenize"})`,
    });
  return server;
}

async function runLevels(config: RunConfig, ctx: RunContext): Promise<RunResult> {
  const telemetry = new Telemetry(config, ctx.baseUrl, ctx.dir.path, ctx.emit);
  const root = ctx.baseUrl.replace(/\/v1\/?$/, "");
  if (config.waitReadyMs > 0) await ctx.watch.step(`${root} to be ready (--wait-ready)`, (signal) => telemetry.waitReady(signal));
  const { model, maxModelLen, servedModels } = await discover(config, ctx);
  const serverTokenizer = await serverCounting(config, ctx, model);
  const source = RequestSource.create(config, { tokenizer: ctx.tokenizer, counter: ctx.counter, maxModelLen });
  // One origin for every shard: the --start-at instant (else now), so record times line up across shards.
  const scale = new ScaleContext(config);
  const originMs = scale.originMs();
  ctx.dir.writeJson("config.json", { ...config, model, target: ctx.baseUrl, embedded_simulator: ctx.embedded !== undefined, connection: CONNECTION_POLICY });
  await ctx.watch.step(`GET ${root}/version and /v1/models (env.json)`, () => telemetry.captureEnvironment(config, model));
  await ctx.watch.step(`GET ${root}/health (round-trip time)`, (signal) => telemetry.measureRtt(signal));
  const run: RunInfo = {
    started_at: ctx.resume?.summary?.run.started_at ?? new Date().toISOString(),
    target: ctx.baseUrl,
    embedded_simulator: ctx.embedded !== undefined,
    ...(ctx.embedded === undefined ? {} : { simulator: ctx.embedded }),
    model,
    endpoint: config.endpoint,
    tokenizer: ctx.tokenizer.name,
    workload: source.label(),
    strict: config.strict,
    percentiles: config.percentiles,
    seed: config.seed,
    predicted: false,
    interrupted: false,
    input_token_count: countMethod(config, ctx.counter, serverTokenizer),
    profile: config.profile,
  };
  if (maxModelLen !== undefined) run.max_model_len = maxModelLen;
  const fixedLengths = config.prompt === undefined && config.dataset === undefined && config.trace === undefined;
  if (fixedLengths && config.inputDist === undefined && config.suffixTokens === undefined) run.input_tokens = config.inputTokens;
  if (fixedLengths && config.outputDist === undefined) run.output_tokens = config.outputTokens;
  if (config.slo.length > 0) run.slo = formatSlo(config.slo);
  const summary: RunSummary = { schema: SUMMARY_SCHEMA, servebench_version: servebenchVersion(), run, levels: [] };
  const levelCtx: LevelContext = { ...ctx, config, model, originMs, serverTokenizer, maxModelLen, source, telemetry, scale };
  const profile = createProfile(config, source.trace);
  const history: LevelOutcome[] = [];
  await ctx.watch.step(`the server's clock (Date headers)`, () => scale.measureClock(ctx.baseUrl, ctx.apiKey));
  await scale.waitForStart(ctx.signal);
  telemetry.start(originMs, ctx.signal);
  await telemetry.startPower(originMs);
  try {
    let setAside = ctx.resume?.setAside ?? 0;
    for (let step = profile.next(history); step !== undefined && !ctx.signal.aborted; step = profile.next(history)) {
      const plan = planLevel(config, summary.levels.length, step, source.trace);
      const kept = ctx.resume?.finished.get(plan.level);
      if (kept !== undefined) {
        // Finished before the interruption: keep it, and never resend its prompts.
        source.skip(kept.requests.sent + kept.requests.warmup);
        summary.levels.push(kept);
        history.push(outcomeOf(plan, kept));
        ctx.emit({ kind: "info", message: `level ${plan.level}: finished in the earlier attempt, kept` });
        continue;
      }
      source.skip(setAside);
      setAside = 0;
      // Sharded: every shard starts the level at one instant (docs/scale-out.md, "Levels").
      await scale.beforeLevel(plan.level, config.warmup > 0, ctx.signal);
      if (ctx.signal.aborted) break;
      const level = await runOneLevel(plan, levelCtx);
      summary.levels.push(level);
      history.push(outcomeOf(plan, level));
      if (config.profile === "slo-search") Object.assign(run, sloSearchSummary(config, history, summary.levels));
      ctx.dir.writeSummary(summary);
      ctx.emit({ kind: "level-end", summary: level });
      explainFailures(level, ctx, {
        baseUrl: ctx.baseUrl,
        endpoint: config.endpoint,
        model,
        apiKeyEnv: config.apiKeyEnv,
        apiKeySet: ctx.apiKey !== undefined,
        servedModels,
      });
    }
  } catch (error) {
    scale.writeShardFile(ctx.dir, config, "failed", (error as Error).message);
    throw error;
  } finally {
    await telemetry.stop();
  }
  run.finished_at = new Date().toISOString();
  run.interrupted = ctx.signal.aborted;
  await scale.measureClockAfter(ctx.baseUrl, ctx.apiKey);
  if (scale.active) run.scale = scale.info();
  const verdict = runVerdict(run, summary.levels);
  run.verdict = verdict;
  ctx.dir.writeSummary(summary);
  scale.writeShardFile(ctx.dir, config, run.interrupted ? "interrupted" : "complete");
  const strictFailed = summary.levels.some((l) => (l.strict?.mismatched ?? 0) > 0 || (config.strict && (l.usage_impossible?.requests ?? 0) > 0));
  return { dir: ctx.dir.path, summary, strictFailed, interrupted: run.interrupted, verdict };
}

/** After a level with failures: the top error kinds with the server's message, then advice that fits. */
function explainFailures(level: LevelSummary, ctx: RunContext, advice: AdviceContext): void {
  const line = causeLine(level);
  if (line === undefined) return;
  ctx.emit({ kind: "info", message: line });
  for (const a of adviceFor(level.error_causes ?? [], advice)) ctx.emit({ kind: "info", message: `  hint: ${a}` });
  if (level.target_failed !== undefined) ctx.emit({ kind: "info", message: `level ${level.level}: the target is failing: ${level.target_failed}` });
}

function countMethod(config: RunConfig, counter: PromptCounter, server: ServerTokenizer | undefined): string {
  if (!usesMessages(config.endpoint)) {
    if (server !== undefined) return "server-tokenize";
    return counter.method === "message-contents" || counter.method === "chat-template" ? "tokenizer" : counter.method;
  }
  return server !== undefined ? "server-tokenize" : counter.method;
}

function outcomeOf(plan: LevelPlan, level: LevelSummary): LevelOutcome {
  return {
    load: plan.probe,
    role: plan.role,
    requestPerS: level.request_per_s,
    meetsSlo: level.slo_check?.met,
    stoppedEarly: level.stopped_early !== undefined || level.interrupted,
  };
}
