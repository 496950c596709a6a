// Owns the servebench command tree: every command, its arguments and flags (grouped for --help
// and docs/cli.md by help-groups.ts). Building it runs nothing; main.ts parses argv with it.

import { Command } from "commander";
import { servebenchVersion } from "../run/version.js";
import { runCommand } from "./run-command.js";
import { simulateCommand } from "./simulate-command.js";
import { predictCommand } from "./predict-command.js";
import { calibrateCommand } from "./calibrate-command.js";
import { addEmbeddedSimFlags, addSimListingFlags, addSimPresetFlags, addSimServeFlags } from "./sim-flags.js";
import { reportCommand } from "./report-command.js";
import { compareCommand } from "./compare-command.js";
import { importCommand } from "./import-command.js";
import { addRunFlags } from "./run-flags.js";
import { mergeCommand } from "./merge-command.js";
import { addK8sCommands } from "./k8s-command.js";
import { addPlanCommands } from "./plan-command.js";
import { groupOptions } from "./help-groups.js";
import { withFlagNames } from "./field-flags.js";

/** The whole command tree; a command's action reports its exit code through `setExit`. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("servebench")
    .description("Benchmark LLM inference servers that speak the OpenAI HTTP API")
    .version(servebenchVersion())
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  addSimListingFlags(
    addEmbeddedSimFlags(addRunFlags(program.command("run").description("benchmark a server (default: the embedded simulator) at one or more load levels"))),
  ).action(async (opts: Record<string, string | boolean | undefined>) => {
    setExit(await withFlagNames(() => runCommand(opts)));
  });

  addSimPresetFlags(
    addSimServeFlags(
      program
        .command("simulate")
        .description("serve the simulated OpenAI-compatible engine over HTTP until stopped")
        .option("--host <host>", "address to bind", "127.0.0.1")
        .option("--port <port>", "port (0 = a free port)", "8000")
        .option("--print-url", "print the URL on stdout once listening")
        .option("--model <name>", "served model id; with --gpu the catalog model (default sim-model)")
        .option("--ttft-ms <ms>", "time to first token", "30")
        .option("--per-token-ms <ms>", "time per output token", "10")
        .option("--batch-slowdown <x>", "per-token slowdown per extra running stream", "0.002")
        .option("--tokenizer <dir|file|hf-id>", "tokenizer used to count prompt tokens in usage (default: bundled Qwen3)")
        .option("--trace <file>", "write per-token emission times (ground truth) as JSONL")
        .option(
          "--reasoning-tokens <n>",
          "chat answers start with N reasoning tokens (delta.reasoning / reasoning_content), as a reasoning model does (default 0)",
        ),
    ),
  ).action(async (opts: Record<string, string | boolean | undefined>) => {
    setExit(await withFlagNames(() => simulateCommand(opts)));
  });

  addSimPresetFlags(
    addRunFlags(program.command("predict").description("predict a run's results with the simulated engine in virtual time (same flags as run)")),
  ).action(async (opts: Record<string, string | boolean | undefined>) => {
    setExit(await withFlagNames(() => predictCommand(opts)));
  });

  addSimPresetFlags(
    program
      .command("calibrate")
      .description("fit the simulator's efficiency constants to a measured run directory")
      .argument("<run-dir>", "a run directory (summary.json, config.json)")
      .option("--model <name>", "catalog model (default: the run's model)")
      .option("--tokenizer <dir|file|hf-id>", "tokenizer for the workload (default: the run's)")
      .option("--levels <list>", "fit on these level indexes only (default: all); the others are predicted")
      .option("--out <file>", "fitted profile (default: <run-dir>/sim-profile.json)"),
  ).action(async (dir: string, opts: Record<string, string | boolean | undefined>) => {
    setExit(await withFlagNames(() => calibrateCommand(dir, opts)));
  });

  program
    .command("report")
    .description("write report.html, report.md, charts/*.png and tables/*.csv for run or plan directories")
    .argument("<dir...>", "run or plan directories (searched recursively for summary.json)")
    .option("--out <dir>", "report directory", "report")
    .option("--slo <terms>", "goodput objective for the analysis, e.g. ttft_ms<=500,tpot_ms<=50 (default: each run's own)")
    .option("--slo-attainment <pct>", "percent of requests that must meet the SLO for a level to pass", "90")
    .option("--baseline <label|dim=value>", "run, cell id or dimension value that comparisons are relative to (default: the first)")
    .option("--title <text>", "report title")
    .option("--no-png", "skip rasterising charts to charts/*.png")
    .action(async (dirs: string[], opts: Record<string, string | boolean | undefined>) => {
      setExit(await reportCommand(dirs, opts));
    });

  program
    .command("compare")
    .description("compare run (or cell) B against A per level: changes, bootstrap intervals, CI exit code")
    .argument("<a>", "baseline run or cell directory")
    .argument("<b>", "run or cell directory to compare with A")
    .option("--metric <list>", "metrics to compare, e.g. output_tokens_per_s,tpot_ms.p99 (default: the headline set)")
    .option(
      "--fail-if <condition>",
      'exit 4 if it holds at any level, e.g. "tpot_ms.p99 > +5%" (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("--significant-only", "--fail-if ignores changes inside the bootstrap noise")
    .option("--resamples <n>", "bootstrap resamples", "1000")
    .option("--seed <n>", "bootstrap seed", "0")
    .option("--json", "print the comparison as JSON")
    .action(async (a: string, b: string, opts: Record<string, string | boolean | string[] | undefined>) => {
      setExit(await compareCommand(a, b, opts));
    });

  addPlanCommands(program.command("plan").description("run a matrix of servers × workloads × loads from one plan file, surviving crashes"), setExit);

  program
    .command("merge")
    .description("merge shard directories (run --shard) into one run directory, recomputing every percentile")
    .argument("<shard-dir...>", "shard directories, one per shard")
    .requiredOption("--out <dir>", "merged run directory")
    .option("--allow-missing", "merge the shards that finished and record the missing or failed ones")
    .option("--expect <n>", "number of shards the run had (default: from shard.json)")
    .option("--wait <time>", "wait this long for shards that have not finished yet")
    .action(async (dirs: string[], opts: Record<string, string | boolean | undefined>) => {
      setExit(await mergeCommand(dirs, opts));
    });

  addK8sCommands(program.command("k8s").description("run one benchmark as a Kubernetes Indexed Job of N shards and merge it"), setExit);

  program
    .command("import")
    .description("turn external results (engine, hardware, model, requests, tokens, time, throughput) into run directories marked as imported")
    .argument("<file>", "a .csv with a header row, or .json (an array of rows)")
    .option("--out <dir>", "directory for the imported runs (default: imported/<file name>)")
    .action((file: string, opts: Record<string, string | boolean | undefined>) => {
      setExit(importCommand(file, opts));
    });

  groupOptions(program);
  return program;
}
