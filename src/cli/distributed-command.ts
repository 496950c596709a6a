// Owns `servebench run --distributed local:N`: checks the flags as a normal run would, then runs
// N shard processes with one start instant and merges them (src/scale/local-distributed.ts).

import { parseDurationMs } from "../config/units.js";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import { renderConsoleTable } from "../report/console.js";
import { parseDistributed, readDistributedRecord, runDistributedLocal } from "../scale/local-distributed.js";
import { BenchError, isBenchError } from "../errors.js";
import { EXIT } from "./exit-codes.js";
import { levelStartLines } from "./merge-command.js";
import { runConfigFromFlags } from "./run-flags.js";
import { reportVerdict } from "./verdict-report.js";
import { judgeSummary } from "../run/run-verdict.js";

type Raw = Record<string, string | boolean | undefined>;

/** The `run` arguments as typed (forwarded to every shard process). */
function runArgv(): string[] {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("run");
  return at === -1 ? [] : argv.slice(at + 1);
}

export async function distributedCommand(opts: Raw): Promise<number> {
  // Installed before anything starts: a SIGTERM that found no handler would end this process
  // and orphan the simulator, the shard processes and the barrier directory.
  const stop = new AbortController();
  const kill = new AbortController();
  const onSignal = (): void => {
    if (!stop.signal.aborted) {
      process.stderr.write("\nservebench: stopping the shards: merging what finished (press Ctrl-C again to quit now)\n");
      stop.abort();
    } else {
      kill.abort();
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await runDistributed(opts, stop.signal, kill.signal);
  } catch (error) {
    if (stop.signal.aborted && isBenchError(error)) {
      process.stderr.write(`servebench: interrupted: ${error.message.split("\n")[0] ?? ""}\n`);
      return EXIT.interrupted;
    }
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function runDistributed(opts: Raw, signal: AbortSignal, killSignal: AbortSignal): Promise<number> {
  const resumeDir = typeof opts.resume === "string" ? opts.resume : undefined;
  const record = resumeDir === undefined ? undefined : readDistributedRecord(resumeDir);
  if (resumeDir !== undefined && record === undefined)
    throw new BenchError("E_IO", `--resume: ${resumeDir} is not a run --distributed directory (no distributed.json)`, { where: "--resume" });
  const shards = record?.shards ?? parseDistributed(String(opts.distributed));
  const { distributed: _d, ...rest } = opts;
  // Bad flags fail here, once, rather than in N shard processes (a resumed run's were checked when it started).
  const config = record === undefined ? resolveRunConfig({ ...runConfigFromFlags(rest), shard: { index: 0, count: shards } }) : undefined;
  const out = resumeDir ?? (typeof opts.out === "string" ? opts.out : `results/${new Date().toISOString().replace(/[:]/g, "-").replace(/\..+$/, "")}`);
  const result = await runDistributedLocal({
    shards,
    runArgs: record?.runArgs ?? runArgv(),
    out,
    // Every process loads its tokenizer and prompts before the instant: allow for N of them on few cores.
    startDelayMs: parseDurationMs(process.env["SERVEBENCH_START_DELAY"] ?? `${Math.max(5, 2.5 * shards)}s`, "SERVEBENCH_START_DELAY"),
    log: (line) => process.stderr.write(`servebench: ${line}\n`),
    signal,
    killSignal,
    resume: record !== undefined,
  });
  process.stdout.write(renderConsoleTable(result.summary));
  process.stdout.write(levelStartLines(result.summary));
  process.stdout.write(`results: ${result.dir} (shards in ${out}/shards)\n`);
  if (result.summary.run.interrupted || signal.aborted) {
    process.stderr.write(`servebench: interrupted; continue with: servebench run --resume ${out}\n`);
    return EXIT.interrupted;
  }
  // The merged run is judged like a single-process one (README "Exit codes").
  return reportVerdict(judgeSummary(result.summary, config?.maxErrorRate));
}
