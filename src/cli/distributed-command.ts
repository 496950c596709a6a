// Owns `servebench run --distributed local:N`: checks the flags as a normal run would, then runs
// N shard processes with one start instant and merges them (src/scale/local-distributed.ts).

import { parseDurationMs } from "../config/units.js";
import { resolveRunConfig } from "../config/run-config.js";
import { renderConsoleTable } from "../report/console.js";
import { parseDistributed, runDistributedLocal } from "../scale/local-distributed.js";
import { EXIT } from "./exit-codes.js";
import { levelStartLines } from "./merge-command.js";
import { runConfigFromFlags } from "./run-flags.js";
import { reportVerdict } from "./run-command.js";
import { judgeSummary } from "../bench/run-verdict.js";

type Raw = Record<string, string | boolean | undefined>;

/** The `run` arguments as typed (forwarded to every shard process). */
function runArgv(): string[] {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("run");
  return at === -1 ? [] : argv.slice(at + 1);
}

export async function distributedCommand(opts: Raw): Promise<number> {
  const shards = parseDistributed(String(opts.distributed));
  const { distributed: _d, ...rest } = opts;
  // Bad flags fail here, once, rather than in N shard processes.
  const config = resolveRunConfig({ ...runConfigFromFlags(rest), shard: { index: 0, count: shards } });
  const out = typeof opts.out === "string" ? opts.out : `results/${new Date().toISOString().replace(/[:]/g, "-").replace(/\..+$/, "")}`;
  const result = await runDistributedLocal({
    shards,
    runArgs: runArgv(),
    out,
    // Every process loads its tokenizer and prompts before the instant: allow for N of them on few cores.
    startDelayMs: parseDurationMs(process.env["SERVEBENCH_START_DELAY"] ?? `${Math.max(5, 2.5 * shards)}s`, "SERVEBENCH_START_DELAY"),
    log: (line) => process.stderr.write(`servebench: ${line}\n`),
  });
  process.stdout.write(renderConsoleTable(result.summary));
  process.stdout.write(levelStartLines(result.summary));
  process.stdout.write(`results: ${result.dir} (shards in ${out}/shards)\n`);
  if (result.summary.run.interrupted) return EXIT.interrupted;
  // The merged run is judged like a single-process one (README "Exit codes").
  return reportVerdict(judgeSummary(result.summary, config.maxErrorRate));
}
