// Owns putting flags in their `--help` and docs/cli.md groups for run and predict: run's groups
// come from the flag table (config/run-flag-table.ts), the simulator preset flags' from here.

import type { Command, Option } from "commander";
import { FLAG_GROUPS, RUN_COMMAND_FLAGS, runFlagRows, type FlagGroup } from "../config/run-flag-table.js";

export const GROUPS = FLAG_GROUPS;
export type Group = FlagGroup;

const g = (group: Group, flags: string): Array<[string, Group]> =>
  flags
    .split(/\s+/)
    .filter(Boolean)
    .map((f) => [f, group]);

/** Long flag (as commander names it: `--no-x` for negations) → group: run's from the flag table, predict's preset flags here. */
export const FLAG_GROUP_OF: ReadonlyMap<string, Group> = new Map([
  ...runFlagRows().flatMap(([, row]): Array<[string, Group]> =>
    row.external === true
      ? []
      : row.kind === "both"
        ? [
            [row.flag, row.group],
            [row.flag.replace(/^--/, "--no-"), row.group],
          ]
        : [[row.flag, row.group]],
  ),
  ...RUN_COMMAND_FLAGS.map((f): [string, Group] => [f.flag, f.group]),
  // predict's preset flags (run spells them --sim-*), and the catalog listings.
  ...g(
    "Simulator",
    `--gpu --model-config --dtype --kv-dtype --tp --pp --max-model-len --gpu-memory-utilization --max-num-seqs
    --max-num-batched-tokens --kv-cache-blocks --no-prefix-caching --enforce-eager --spec-tokens --spec-acceptance
    --spec-draft-model --cold-start --list-gpus --list-models`,
  ),
]);

/** Simulator flags are every `--sim-*` flag and the preset flags they share with `simulate`. */
function groupOf(long: string): Group | undefined {
  const known = FLAG_GROUP_OF.get(long);
  if (known !== undefined) return known;
  if (long.startsWith("--sim-") || long.startsWith("--no-sim-")) return "Simulator";
  return undefined;
}

/**
 * Puts every option of `run` and `predict` in its help group (commander prints groups in the
 * order of first use; flags keep their definition order inside a group), recursively.
 */
export function groupOptions(program: Command): void {
  for (const cmd of program.commands) {
    if (cmd.name() === "run" || cmd.name() === "predict") {
      const ordered = [...cmd.options].sort((a, b) => GROUPS.indexOf(groupOf(a.long ?? "") ?? "Scale") - GROUPS.indexOf(groupOf(b.long ?? "") ?? "Scale"));
      for (const option of ordered) {
        const group = groupOf(option.long ?? "");
        if (group !== undefined) option.helpGroup(`${group}:`);
      }
      // Commander lists groups in the order of their first option: put the options in group order
      // (a stable sort; parsing goes by name, so the order changes nothing else).
      (cmd.options as Option[]).splice(0, cmd.options.length, ...ordered);
    }
    groupOptions(cmd);
  }
}

/** Options of `run`/`predict` that no group names: a new flag must be given one (tested). */
export function ungrouped(program: Command): string[] {
  const out: string[] = [];
  for (const cmd of program.commands) {
    if (cmd.name() !== "run" && cmd.name() !== "predict") continue;
    for (const o of cmd.options) if (o.long !== "--help" && !o.hidden && groupOf(o.long ?? "") === undefined) out.push(`${cmd.name()} ${o.long ?? o.flags}`);
  }
  return out;
}
