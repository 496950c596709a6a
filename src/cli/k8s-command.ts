// Owns `servebench k8s render|run|push|pull`: flags → manifest options, the user's kubectl,
// and S3 transfers used inside the pods. Run flags for the shards come after `--`, or from the
// cells of a plan (`render --plan`).

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { parseDurationMs, parsePositiveInt } from "../config/units.js";
import { BenchError } from "../errors.js";
import { perShardFlags } from "../config/run-flag-table.js";
import { checkRunArgv } from "./run-flags.js";
import { servebenchVersion } from "../run/version.js";
import { runOnKubernetes } from "../k8s/k8s-run.js";
import { kubectlRunner } from "../k8s/kubectl.js";
import { checkName, parseStorage, renderManifest, type RenderOptions } from "../k8s/manifest.js";
import { runPlanOnKubernetes } from "../k8s/k8s-plan-run.js";
import { checkDnsLabel, checkEndpointUrl, checkImage, checkObjectName, checkQuantity, checkRegion } from "../k8s/k8s-values.js";
import { renderPlanManifest } from "../k8s/plan-manifest.js";
import { loadPlanFile } from "../plan/load-plan.js";
import { pullShards, pushDir, S3Store, s3OptionsFromEnv } from "../k8s/s3-store.js";
import { renderConsoleTable } from "../report/console.js";
import { judgeSummary } from "../run/run-verdict.js";
import { reportVerdict } from "./verdict-report.js";
import { EXIT } from "./exit-codes.js";
import { MAX_CELLS_FLAG, MAX_CELLS_HELP, planLoadOptions } from "./plan-command.js";
import { addK8sBarrierCommands } from "./k8s-barrier-command.js";

type Raw = Record<string, string | boolean | undefined>;

function str(raw: Raw, key: string): string | undefined {
  const v = raw[key];
  return typeof v === "string" ? v : undefined;
}

function baseOptions(runArgs: string[], raw: Raw): Omit<RenderOptions, "startAtEpochMs" | "mergeJob"> {
  const reserved = perShardFlags("k8s");
  const bad = runArgs.find((a) => reserved.includes(a.split("=")[0] as string));
  if (bad !== undefined) throw new BenchError("E_BAD_FLAG", `${bad}: set by servebench k8s for each shard; remove it from the run flags`, { where: bad });
  // What every pod would refuse is refused here, once.
  checkRunArgv(runArgs, "run flags after --");
  const s3: { endpoint?: string; region?: string; secret?: string } = {};
  const endpoint = str(raw, "s3Endpoint");
  const region = str(raw, "s3Region");
  const secret = str(raw, "s3Secret");
  if (endpoint !== undefined) s3.endpoint = checkEndpointUrl(endpoint, "--s3-endpoint");
  if (region !== undefined) s3.region = checkRegion(region, "--s3-region");
  if (secret !== undefined) s3.secret = secret;
  const o: Omit<RenderOptions, "startAtEpochMs" | "mergeJob"> = {
    name: checkName(String(raw.name)),
    shards: parsePositiveInt(String(raw.shards), "--shards"),
    image: checkImage(str(raw, "image") ?? `servebench/servebench:${servebenchVersion()}`, "--image"),
    runArgs,
    storage: parseStorage(String(raw.storage), s3),
    cpu: checkQuantity(String(raw.cpu), "--cpu"),
    memory: checkQuantity(String(raw.memory), "--memory"),
    deadlineS: Math.ceil(parseDurationMs(String(raw.deadline), "--deadline") / 1000),
  };
  const namespace = str(raw, "namespace");
  if (namespace !== undefined) o.namespace = checkDnsLabel(namespace, "--namespace");
  const apiKeySecret = str(raw, "apiKeySecret");
  if (apiKeySecret !== undefined) o.apiKeySecret = checkObjectName(apiKeySecret, "--api-key-secret");
  return o;
}

export async function k8sRenderCommand(runArgs: string[], raw: Raw): Promise<number> {
  const startAt = str(raw, "startAt");
  const startAtEpochMs =
    startAt !== undefined ? parsePositiveInt(startAt, "--start-at") : Date.now() + parseDurationMs(String(raw.startDelay), "--start-delay");
  const planFile = str(raw, "plan");
  let manifest: string;
  if (planFile === undefined) {
    manifest = renderManifest({ ...baseOptions(runArgs, raw), startAtEpochMs, mergeJob: raw.mergeJob !== false });
  } else {
    if (runArgs.length > 0)
      throw new BenchError("E_BAD_FLAG", `--plan: the run settings come from ${planFile}; remove the run flags after --`, { where: "--plan" });
    const { runArgs: _none, ...base } = baseOptions([], raw);
    const rendered = renderPlanManifest(loadPlanFile(planFile, { ...planLoadOptions(raw), runsHere: false }), {
      ...base,
      startAtEpochMs,
      mergeJob: raw.mergeJob !== false,
    });
    for (const w of rendered.warnings) process.stderr.write(`servebench: note: ${w}\n`);
    process.stderr.write(`servebench: ${rendered.jobs.length} cells: ${rendered.jobs.join(", ")}\n`);
    manifest = rendered.yaml;
  }
  const out = str(raw, "out");
  if (out === undefined) process.stdout.write(manifest);
  else writeFileSync(out, manifest);
  return EXIT.ok;
}

export async function k8sRunCommand(runArgs: string[], raw: Raw): Promise<number> {
  const planFile = str(raw, "plan");
  if (planFile !== undefined && runArgs.length > 0) {
    throw new BenchError("E_BAD_FLAG", `--plan: the run settings come from ${planFile}; remove the run flags after --`, { where: "--plan" });
  }
  const base = baseOptions(runArgs, raw);
  const common = {
    ...base,
    startDelayMs: parseDurationMs(String(raw.startDelay), "--start-delay"),
    out: String(raw.out),
    pollMs: parseDurationMs(String(raw.poll), "--poll"),
    kubectl: kubectlRunner(str(raw, "kubectl")),
    ...(base.storage.kind === "s3" ? { s3: new S3Store(s3OptionsFromEnv(process.env, base.storage.endpoint)) } : {}),
    log: (line: string) => process.stderr.write(`${line}\n`),
  };
  if (planFile !== undefined) {
    const { runArgs: _none, ...rest } = common;
    const result = await runPlanOnKubernetes(loadPlanFile(planFile, { ...planLoadOptions(raw), runsHere: false }), rest);
    process.stdout.write(`plan: ${result.complete} complete, ${result.failed} failed\nresults: ${result.dir}/cells.csv\n`);
    return result.failed > 0 ? EXIT.cellsFailed : EXIT.ok;
  }
  const result = await runOnKubernetes(common);
  process.stdout.write(renderConsoleTable(result.summary));
  process.stdout.write(`results: ${result.dir}\n`);
  if (result.summary.run.interrupted) return EXIT.interrupted;
  // The merged run is judged like a single-process one (README "Exit codes").
  return reportVerdict(judgeSummary(result.summary, mergedMaxErrorRate(result.dir)));
}

function mergedMaxErrorRate(dir: string): number | undefined {
  try {
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { maxErrorRate?: unknown };
    return typeof config.maxErrorRate === "number" ? config.maxErrorRate : undefined;
  } catch {
    return undefined;
  }
}

export async function k8sPushCommand(dir: string, url: string, raw: Raw): Promise<number> {
  const n = await pushDir(new S3Store(s3OptionsFromEnv(process.env, str(raw, "s3Endpoint"))), dir, url);
  process.stderr.write(`servebench: uploaded ${n} files to ${url}\n`);
  return EXIT.ok;
}

export async function k8sPullCommand(url: string, raw: Raw): Promise<number> {
  const store = new S3Store(s3OptionsFromEnv(process.env, str(raw, "s3Endpoint")));
  const waitMs = raw.wait === undefined ? 0 : parseDurationMs(String(raw.wait), "--wait");
  const dirs = await pullShards(store, url, parsePositiveInt(String(raw.shards), "--shards"), String(raw.to), waitMs);
  process.stderr.write(`servebench: pulled ${dirs.length} shard directories into ${String(raw.to)}\n`);
  return EXIT.ok;
}

function addShardOptions(cmd: Command): Command {
  return cmd
    .argument("[run-flags...]", "`servebench run` flags for every shard, after --")
    .requiredOption("--shards <n>", "number of shards (pods)")
    .option("--name <name>", "Job name (a DNS label)", "servebench")
    .option("--namespace <ns>", "namespace (default: kubectl's current)")
    .option("--image <image>", "servebench container image (default: servebench/servebench:<version>)")
    .option(
      "--storage <pvc:CLAIM|s3://bucket/prefix>",
      "where shards write: a shared (ReadWriteMany) volume claim or an S3-compatible bucket",
      "pvc:servebench-results",
    )
    .option("--s3-endpoint <url>", "S3-compatible endpoint (MinIO, R2, ...); default AWS")
    .option("--s3-region <region>", "S3 region", "us-east-1")
    .option("--s3-secret <name>", "Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the pods")
    .option("--api-key-secret <name>", "Secret whose key `api-key` becomes OPENAI_API_KEY in the shards")
    .option("--cpu <cores>", "CPU request and limit per shard", "2")
    .option("--memory <size>", "memory request and limit per shard", "2Gi")
    .option("--start-delay <time>", "shards start together this long after rendering/applying", "2m")
    .option("--deadline <time>", "the shard Job's deadline (and how long the merge waits)", "2h");
}

/** Registers `k8s render|run|push|pull` under `cmd`; `setExit` receives each action's exit code. */
export function addK8sCommands(cmd: Command, setExit: (code: number) => void): Command {
  addShardOptions(cmd.command("render").description("write the Indexed Job manifest (and a merge Job) for a sharded run"))
    .option("--plan <file>", "render every cell of a plan (servers of kind existing) as its own Job, taking turns; no run flags then")
    .option(MAX_CELLS_FLAG, MAX_CELLS_HELP)
    .option("--start-at <epoch-ms>", "common start instant (default: now + --start-delay)")
    .option("--no-merge-job", "omit the Job that waits for every shard and merges them")
    .option("--out <file>", "write the manifest here instead of stdout")
    .action(async (runArgs: string[], opts: Raw) => setExit(await k8sRenderCommand(runArgs, opts)));
  addShardOptions(cmd.command("run").description("apply the Job with kubectl, follow it, gather the shards and merge them locally"))
    .option("--plan <file>", "run every cell of a plan (servers of kind existing) as its own Job, one after another, into OUT/cells/<id>; no run flags then")
    .option(MAX_CELLS_FLAG, MAX_CELLS_HELP)
    .option("--out <dir>", "merged results directory", "results/k8s")
    .option("--poll <time>", "how often to read the Job's status", "5s")
    .option("--kubectl <path>", "kubectl binary (default: $KUBECTL or kubectl on PATH)")
    .action(async (runArgs: string[], opts: Raw) => setExit(await k8sRunCommand(runArgs, opts)));
  addK8sBarrierCommands(cmd, setExit);
  cmd
    .command("push")
    .description("upload a run or shard directory to s3://bucket/prefix (used inside the pods)")
    .argument("<dir>")
    .argument("<s3-url>")
    .option("--s3-endpoint <url>", "S3-compatible endpoint (default: $SERVEBENCH_S3_ENDPOINT, else AWS)")
    .action(async (dir: string, url: string, opts: Raw) => setExit(await k8sPushCommand(dir, url, opts)));
  cmd
    .command("pull")
    .description("download shard-0..N-1 of a run from s3://bucket/prefix (used by the merge Job)")
    .argument("<s3-url>")
    .requiredOption("--shards <n>", "number of shards")
    .requiredOption("--to <dir>", "local directory for the shard directories")
    .option("--wait <time>", "wait this long for shards still running")
    .option("--s3-endpoint <url>", "S3-compatible endpoint (default: $SERVEBENCH_S3_ENDPOINT, else AWS)")
    .action(async (url: string, opts: Raw) => setExit(await k8sPullCommand(url, opts)));
  return cmd;
}
