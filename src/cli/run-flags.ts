// Owns registering `run`'s flags on a command and turning what was given into a RunConfigInput,
// both from the one flag table (config/run-flag-table.ts); defaults shown in help come from the schema.

import { Command, CommanderError, Option } from "commander";
import { parseNonNegative } from "../config/flag-values.js";
import { runConfigSchema, type RunConfigInput } from "../config/run-config.js";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import { flagAttribute, RUN_COMMAND_FLAGS, runFlagRows, type Field, type FlagRow } from "../config/run-flag-table.js";
import { parseNonNegativeInt, parsePositiveNumber } from "../config/units.js";
import { BenchError } from "../errors.js";
import { addEmbeddedSimFlags, simSettingsFromFlags } from "./sim-flags.js";

type Raw = Record<string, string | boolean | undefined>;

/** The simple-timing simulator's flags (its preset flags are cli/sim-flags.ts's table). */
const SIM_SIMPLE_FLAGS: ReadonlyArray<{ flag: string; arg: string; help: string; choices?: readonly string[] }> = [
  {
    flag: "--sim-timing",
    arg: "<kind>",
    help: "embedded simulator: roofline (default: the physics engine on --sim-gpu, else on the rtx-4070-qwen3-8b-awq preset) or simple (fixed TTFT and time per token, no GPU)",
    choices: ["roofline", "simple"],
  },
  { flag: "--sim-ttft-ms", arg: "<ms>", help: "embedded simulator, simple timing (implies it without --sim-gpu): time to first token (default 30)" },
  { flag: "--sim-per-token-ms", arg: "<ms>", help: "embedded simulator, simple timing (implies it without --sim-gpu): time per output token (default 10)" },
  {
    flag: "--sim-batch-slowdown",
    arg: "<x>",
    help: "embedded simulator, simple timing (implies it without --sim-gpu): per-token slowdown per extra running stream (default 0.002)",
  },
  {
    flag: "--sim-max-num-seqs",
    arg: "<n>",
    help: "embedded simulator: requests admitted at once, the rest queue (default: vLLM's for the preset; unlimited with simple timing)",
  },
  { flag: "--sim-trace", arg: "<file>", help: "embedded simulator: write per-token emission times (ground truth) to this JSONL file" },
  {
    flag: "--sim-reasoning-tokens",
    arg: "<n>",
    help: "embedded simulator: chat answers start with N reasoning tokens (delta.reasoning / reasoning_content), as a reasoning model does (default 0)",
  },
];

function formatMs(v: number): string {
  if (v === 0) return "0";
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (v % size === 0) return `${v / size}${unit}`;
  }
  return `${v}ms`;
}

/** The default shown in help: the row's own text for defaults decided at run time, else the schema's. */
export function defaultShown(field: Field, row: FlagRow<Field>): string | undefined {
  if (row.defaultText !== undefined) return row.defaultText;
  if (row.kind !== "value" || row.external === true) return undefined;
  const parsed = runConfigSchema.shape[field].safeParse(undefined);
  const value: unknown = parsed.success ? parsed.data : undefined;
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return undefined;
  if (typeof value === "number" && row.arg === "<time>") return formatMs(value);
  if (typeof value === "number" && row.arg === "<size>") return value % 1024 ** 2 === 0 ? `${value / 1024 ** 2}MiB` : String(value);
  if (Array.isArray(value)) return value.join(",");
  return String(value as string | number);
}

export function addRunFlags(cmd: Command): Command {
  for (const [field, row] of runFlagRows()) {
    if (row.external === true) continue;
    const shown = defaultShown(field, row);
    const help = shown === undefined ? row.help : `${row.help} (default${row.defaultText === undefined ? "" : ":"} ${shown})`;
    if (row.kind === "both") {
      cmd.option(row.flag, help).option(row.flag.replace(/^--/, "--no-"), `never: see ${row.flag}`);
      continue;
    }
    const option = new Option(row.kind === "value" ? `${row.flag} ${row.arg ?? "<value>"}` : row.flag, help);
    cmd.addOption(row.choices === undefined ? option : option.choices([...row.choices]));
  }
  for (const f of SIM_SIMPLE_FLAGS) {
    const option = new Option(`${f.flag} ${f.arg}`, f.help);
    cmd.addOption(f.choices === undefined ? option : option.choices([...f.choices]));
  }
  for (const f of RUN_COMMAND_FLAGS) cmd.option(f.arg === undefined ? f.flag : `${f.flag} ${f.arg}`, f.help);
  return cmd.addOption(new Option("--api-key <key>", "not supported: see --api-key-env").hideHelp());
}

function str(raw: Raw, key: string): string | undefined {
  const v = raw[key];
  return typeof v === "string" ? v : undefined;
}

/** Builds the config input; only flags the user gave appear, so schema defaults apply once. */
export function runConfigFromFlags(raw: Raw): RunConfigInput {
  if (str(raw, "apiKey") !== undefined) {
    throw new BenchError(
      "E_BAD_FLAG",
      "--api-key: a key on the command line leaks into shell history and process lists; put it in an environment variable (OPENAI_API_KEY by default) and name another one with --api-key-env NAME",
      { where: "--api-key" },
    );
  }
  const input: Record<string, unknown> = {};
  for (const [field, row] of runFlagRows()) {
    if (row.external === true) continue;
    const given = raw[flagAttribute(row.flag)];
    if (row.kind === "value") {
      if (typeof given === "string" && row.parse !== undefined) input[field] = row.parse(given, row.flag);
    } else if (row.kind === "on") {
      if (given === true) input[field] = true;
    } else if (row.kind === "off") {
      if (given === false) input[field] = false;
    } else if (typeof given === "boolean") {
      input[field] = given;
    }
  }
  return withSim(input as RunConfigInput, raw);
}

function withSim(input: RunConfigInput, raw: Raw): RunConfigInput {
  type Sim = NonNullable<RunConfigInput["sim"]>;
  // dtype and kv dtype are commander choices; the schema checks them again.
  const sim: Sim = { ...(simSettingsFromFlags(raw, "run") as Sim) };
  const timing = str(raw, "simTiming");
  if (timing !== undefined) sim.timing = timing as Sim["timing"];
  const ttft = str(raw, "simTtftMs");
  if (ttft !== undefined) sim.ttftMs = parseNonNegative(ttft, "--sim-ttft-ms");
  const perToken = str(raw, "simPerTokenMs");
  if (perToken !== undefined) sim.perTokenMs = parsePositiveNumber(perToken, "--sim-per-token-ms");
  const slowdown = str(raw, "simBatchSlowdown");
  if (slowdown !== undefined) sim.batchSlowdown = parseNonNegative(slowdown, "--sim-batch-slowdown");
  for (const key of ["model", "trace", "faults"] as const) {
    const value = str(raw, flagAttribute(`--sim-${key}`));
    if (value !== undefined) sim[key] = value;
  }
  const reasoning = str(raw, "simReasoningTokens");
  if (reasoning !== undefined) sim.reasoningTokens = parseNonNegativeInt(reasoning, "--sim-reasoning-tokens");
  const dialect = str(raw, "simDialect");
  if (dialect !== undefined) sim.dialect = dialect as Sim["dialect"];
  if (input.url !== undefined && sim.model !== undefined) {
    throw new BenchError("E_BAD_FLAG", "--sim-model: configures the embedded simulator, which --url replaces (the model to request is --model)", {
      where: "--sim-model",
    });
  }
  if (Object.keys(sim).length > 0) input.sim = sim;
  return input;
}

/**
 * `servebench run` flags given to another command (k8s shards): parsed and validated here, as
 * `run` would in every pod, so a typo fails once, locally, naming the flag. `context` prefixes messages.
 */
export function checkRunArgv(args: readonly string[], context: string): RunConfigInput {
  const cmd = addEmbeddedSimFlags(addRunFlags(new Command("run")))
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    cmd.parse([...args], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const message = error.message.replace(/^error: /, "");
    throw new BenchError("E_BAD_FLAG", `${context}: ${message}`, { where: context });
  }
  if (cmd.args.length > 0) throw new BenchError("E_BAD_FLAG", `${context}: unexpected argument "${cmd.args[0] ?? ""}"`, { where: context });
  try {
    const input = runConfigFromFlags(cmd.opts());
    resolveRunConfig(input);
    return input;
  } catch (error) {
    if (error instanceof BenchError) throw new BenchError(error.code, `${context}: ${error.message}`, { where: error.where ?? context });
    throw error;
  }
}
