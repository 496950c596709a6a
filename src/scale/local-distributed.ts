// Owns `run --distributed local:N`: the sharded path on one machine, as users try it before a
// cluster. Starts the simulator in its own process when no --url is given, runs N `run --shard`
// processes with one --start-at and one --barrier-dir (a temporary directory unless given), then
// merges their shard directories into --out.

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchError } from "../errors.js";
import { redactArgv, withoutUserinfo } from "../config/redact.js";
import { writeFileAtomic } from "../report/run-dir.js";
import type { RunSummary } from "../results/run-summary.js";
import { mergeShards, type MergeResult } from "./merge-run.js";
import { perShardFlags } from "../config/run-flag-table.js";
import { parseSummary } from "../results/summary-schema.js";
import { DEFAULT_RUN_PRESET } from "../sim/named-presets.js";

const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));
const osSignals = constants.signals as Record<string, number | undefined>;

/** Parses "local:N". */
export function parseDistributed(value: string): number {
  const m = /^local:(\d+)$/.exec(value.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 1))
    throw new BenchError("E_BAD_FLAG", `--distributed: expected local:N (N processes on this machine), got "${value}"`, { where: "--distributed" });
  return n;
}

/** Run flags minus those the coordinator sets per shard; the --sim-* flags move to the simulator. */
export function shardArgs(runArgs: readonly string[]): { shard: string[]; sim: string[] } {
  const drop = new Set(perShardFlags("distributed"));
  const shard: string[] = [];
  const sim: string[] = [];
  for (let i = 0; i < runArgs.length; i++) {
    const arg = runArgs[i] as string;
    const [name, inline] = arg.split("=", 2) as [string, string | undefined];
    const takesValue = inline === undefined && i + 1 < runArgs.length && !(runArgs[i + 1] as string).startsWith("--");
    const value = inline ?? (takesValue ? (runArgs[i + 1] as string) : undefined);
    if (takesValue) i++;
    if (drop.has(name)) continue;
    const target = (name.startsWith("--sim-") || name.startsWith("--no-sim-")) && name !== "--sim-trace" ? sim : shard;
    // run's --sim-x is simulate's --x; --sim-profile is spelled the same by both.
    const renamed = target === sim && name !== "--sim-profile" ? name.replace(/^--(no-)?sim-/, "--$1") : name;
    target.push(renamed, ...(value === undefined ? [] : [value]));
  }
  return { shard, sim: withDefaultPreset(sim) };
}

/**
 * `simulate` keeps the simple timing without --gpu; `run`'s embedded simulator does not
 * (embedded-sim.ts): the same choice, in simulate's spelling. --timing is run's only.
 */
function withDefaultPreset(sim: string[]): string[] {
  const at = sim.indexOf("--timing");
  const timing = at === -1 ? undefined : sim[at + 1];
  const rest = at === -1 ? sim : [...sim.slice(0, at), ...sim.slice(at + 2)];
  const has = (flag: string): boolean => rest.includes(flag);
  const simpleGiven = has("--ttft-ms") || has("--per-token-ms") || has("--batch-slowdown");
  if (timing === "simple" || has("--gpu") || has("--model-config") || (timing === undefined && simpleGiven)) return rest;
  const p = DEFAULT_RUN_PRESET;
  return [
    "--gpu",
    p.gpu,
    ...(has("--model") ? [] : ["--model", p.model]),
    ...(has("--max-model-len") ? [] : ["--max-model-len", String(p.maxModelLen)]),
    ...rest,
  ];
}

/** Set to "1" in the environment of the processes this coordinator starts: they stop on its SIGTERM, not on SIGINT (cli/stop-signals.ts). */
export const COORDINATED_ENV = "SERVEBENCH_COORDINATED";

interface CliChild {
  done: Promise<{ code: number; stderr: string }>;
  /** Sends a signal (default SIGTERM) unless the process has already exited. */
  kill: (signal?: NodeJS.Signals) => void;
  stdout: Promise<string>;
  exited: () => boolean;
}

function spawnCli(args: string[], onLine?: (line: string) => void): CliChild {
  // Stopped by this coordinator (SIGTERM), not by the terminal's Ctrl-C, which reaches them too (cli/stop-signals.ts).
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, [COORDINATED_ENV]: "1" } });
  let stderr = "";
  let stdout = "";
  let exited = false;
  let resolveUrl: (s: string) => void = () => {};
  const stdoutLine = new Promise<string>((r) => (resolveUrl = r));
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    const line = stdout.split("\n").find((l) => l.startsWith("http"));
    if (line !== undefined) resolveUrl(line.trim());
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (onLine) for (const l of d.toString().split("\n")) if (l.trim() !== "") onLine(l);
  });
  child.once("exit", () => (exited = true));
  const done = new Promise<{ code: number; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128 + (osSignals[signal] ?? 0)), stderr })),
  );
  return { done, kill: (signal = "SIGTERM") => void (exited || child.kill(signal)), stdout: stdoutLine, exited: () => exited };
}

export interface LocalRunOptions {
  shards: number;
  runArgs: readonly string[];
  out: string;
  /** Time for every process to load its tokenizer and probe the clock before the common start. */
  startDelayMs: number;
  log: (line: string) => void;
  /** Abort to stop (Ctrl-C): the shards are sent SIGTERM, write what finished, and that is merged. */
  signal?: AbortSignal;
  /** Abort to stop now (a second Ctrl-C): every child is killed, nothing is merged. */
  killSignal?: AbortSignal;
  /** Continue an interrupted `--out`: each shard directory is resumed (`run --resume`), missing ones start afresh. */
  resume?: boolean;
}

/** What `--resume` needs to run the shards again: written to `<out>/distributed.json` at the start. */
interface DistributedRecord {
  shards: number;
  runArgs: string[];
}

const RECORD = "distributed.json";

/**
 * The `run` arguments as recorded: URLs without userinfo (never sent anyway), then every
 * secret-shaped value redacted (--server-cmd "… --api-key sk-…" included).
 */
function recordableArgs(runArgs: readonly string[]): string[] {
  return redactArgv(runArgs.map((a, i) => (runArgs[i - 1] === "--url" || a.startsWith("--url=") ? withoutUserinfo(a) : a)));
}

/** Reads `<out>/distributed.json`; undefined when `out` is not a --distributed run directory. */
export function readDistributedRecord(out: string): DistributedRecord | undefined {
  const path = join(out, RECORD);
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, "utf8")) as Partial<DistributedRecord>;
    if (typeof value.shards === "number" && Array.isArray(value.runArgs) && value.runArgs.every((a) => typeof a === "string"))
      return { shards: value.shards, runArgs: value.runArgs };
  } catch (cause) {
    throw new BenchError("E_IO", `--resume: cannot read ${path}: ${(cause as Error).message}`, { where: "--resume", cause });
  }
  throw new BenchError("E_IO", `--resume: ${path} is not a servebench distributed record`, { where: "--resume" });
}

/**
 * Every shard must run the same levels, or the barriers deadlock: a level is kept on resume only
 * when every shard finished it; where it is kept by some shards only, it is marked interrupted
 * there so those shards run it again too (their records of it are set aside, never lost).
 */
function keepCommonLevels(dirs: readonly string[]): void {
  const summaries = dirs.map((dir) => {
    const path = join(dir, "summary.json");
    return existsSync(path) ? { path, summary: parseSummary(JSON.parse(readFileSync(path, "utf8")), path) } : undefined;
  });
  const finished = (s: (typeof summaries)[number]): Set<number> => new Set((s?.summary.levels ?? []).filter((l) => !l.interrupted).map((l) => l.level));
  const common = summaries.map(finished).reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
  for (const s of summaries) {
    if (s === undefined) continue;
    const redo = s.summary.levels.filter((l) => !l.interrupted && !common.has(l.level));
    if (redo.length === 0) continue;
    for (const l of redo) l.interrupted = true;
    writeFileAtomic(s.path, `${JSON.stringify(s.summary, null, 2)}\n`);
  }
}

/** Moves each existing shard directory to `<dir>.attempt-<epoch ms>`. */
function setAside(dirs: readonly string[]): void {
  const stamp = Date.now();
  for (const dir of dirs) if (existsSync(dir)) renameSync(dir, `${dir}.attempt-${stamp}`);
}

/** A killed attempt could not remove the temporary barrier directory it made: its resume does. */
function removeOldBarriers(dirs: readonly string[]): void {
  for (const dir of dirs) {
    const path = join(dir, "config.json");
    if (!existsSync(path)) continue;
    const old = (JSON.parse(readFileSync(path, "utf8")) as { barrierDir?: unknown }).barrierDir;
    // Only one this coordinator made (mkdtemp below); a user's --barrier-dir is theirs.
    if (typeof old === "string" && dirname(old) === tmpdir() && basename(old).startsWith("servebench-barrier-")) rmSync(old, { recursive: true, force: true });
  }
}

function writeRecord(o: LocalRunOptions): void {
  mkdirSync(o.out, { recursive: true });
  const record: DistributedRecord = { shards: o.shards, runArgs: recordableArgs(o.runArgs) };
  writeFileSync(join(o.out, RECORD), `${JSON.stringify(record, null, 2)}\n`);
}

function valueOf(args: readonly string[], flag: string): string | undefined {
  const at = args.lastIndexOf(flag);
  return at === -1 ? undefined : args[at + 1];
}
const urlOf = (args: readonly string[]): string | undefined => valueOf(args, "--url");
const barrierOf = (args: readonly string[]): string | undefined => valueOf(args, "--barrier-dir");

export async function runDistributedLocal(o: LocalRunOptions): Promise<MergeResult> {
  const { shard, sim } = shardArgs(o.runArgs);
  const children: CliChild[] = [];
  let simulator: CliChild | undefined;
  // The shards stop (and write what finished); the simulator serves them until they have.
  const stop = (): void => children.filter((c) => c !== simulator).forEach((c) => c.kill("SIGTERM"));
  const killAll = (): void => children.forEach((c) => c.kill("SIGKILL"));
  o.signal?.addEventListener("abort", stop, { once: true });
  o.killSignal?.addEventListener("abort", killAll, { once: true });
  const stopping = (): boolean => o.signal?.aborted === true;
  let barrierDir: string | undefined;
  try {
    const args = [...shard];
    const hasFlag = (flag: string): boolean => args.some((a) => a === flag || a.startsWith(`${flag}=`));
    if (!hasFlag("--url")) {
      simulator = spawnCli(["simulate", "--port", "0", "--print-url", ...sim]);
      children.push(simulator);
      const url = await Promise.race([
        simulator.stdout,
        simulator.done.then((r) => Promise.reject(new BenchError("E_SIMULATOR", `simulator exited: ${r.stderr.trim()}`))),
      ]);
      args.push("--url", url);
      o.log(`simulator at ${url}`);
    }
    if (stopping()) throw new BenchError("E_INTERRUPTED", "interrupted before the shards started");
    // Later levels start together through marker files in a directory every shard process writes.
    if (!hasFlag("--barrier-dir")) {
      barrierDir = mkdtempSync(join(tmpdir(), "servebench-barrier-"));
      args.push("--barrier-dir", barrierDir);
    }
    const startAt = Date.now() + o.startDelayMs;
    o.log(`${o.shards} shard processes start at ${new Date(startAt).toISOString()}`);
    const dirs = Array.from({ length: o.shards }, (_, i) => join(o.out, "shards", `shard-${i}`));
    // Shards resume together or start afresh together: a resumed shard's saved config and a fresh
    // one's flags would give two run keys, two barrier directories, and shards waiting for each other.
    const resumeShards = o.resume === true && dirs.every((dir) => existsSync(join(dir, "config.json")));
    if (o.resume !== true) writeRecord(o);
    else {
      removeOldBarriers(dirs);
      if (resumeShards) keepCommonLevels(dirs);
      // Some shard never wrote its config, so no level finished on every shard: every shard starts again;
      // what the others recorded is set aside, never deleted.
      else setAside(dirs);
    }
    const runs = dirs.map((dir, i) => {
      const timing = ["--start-at", String(startAt), "--barrier-dir", barrierOf(args) ?? ""];
      if (resumeShards) return spawnCli(["run", "--resume", dir, "--url", urlOf(args) ?? "", ...timing, "--quiet"]);
      return spawnCli(["run", ...args, "--shard", `${i}/${o.shards}`, "--start-at", String(startAt), "--out", dir, "--quiet"]);
    });
    children.push(...runs);
    const results = await Promise.all(runs.map((r) => r.done));
    results.forEach((r, i) => {
      if (r.code !== 0) o.log(`shard ${i} exited ${r.code}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    });
    if (o.killSignal?.aborted === true) throw new BenchError("E_INTERRUPTED", "stopped: the shard processes were killed");
    // Interrupted: merge what the shards finished (each wrote its records and summary), gaps recorded.
    return await mergeShards(dirs, { out: o.out, expectCount: o.shards, allowMissing: stopping() });
  } finally {
    if (barrierDir !== undefined) rmSync(barrierDir, { recursive: true, force: true });
    if (simulator !== undefined) {
      simulator.kill();
      await simulator.done;
    }
    o.signal?.removeEventListener("abort", stop);
    o.killSignal?.removeEventListener("abort", killAll);
  }
}
