// Owns how flags are grouped in `--help` and docs/cli.md: one table, flag → group, for every
// command that shares run's flags (run, predict) and the simulator's. Nothing else decides it.

import type { Command, Option } from "commander";

export const GROUPS = ["Target", "Workload", "Load", "Outputs", "Telemetry", "Simulator", "Scale"] as const;
export type Group = (typeof GROUPS)[number];

const g = (group: Group, flags: string): Array<[string, Group]> =>
  flags
    .split(/\s+/)
    .filter(Boolean)
    .map((f) => [f, group]);

/** Long flag (as commander names it: `--no-x` for negations) → group. */
export const FLAG_GROUPS: ReadonlyMap<string, Group> = new Map([
  ...g("Target", "--url --model --endpoint --api-key-env --extra-body --wait-ready --timeout --resume --max-event-size"),
  ...g(
    "Workload",
    `--tokenizer --input-tokens --output-tokens --no-exact-output --shared-prefix-tokens --prompt --dataset
    --dataset-format --dataset-sample --input-dist --output-dist --prefix-groups --prefix-tokens --suffix-tokens --turns
    --think-time --chat-template --trace --trace-format --time-scale --trace-block-tokens --seed`,
  ),
  ...g(
    "Load",
    `--concurrency --rate --arrival --burstiness --max-concurrency --profile --ramp --sweep-rates
    --sweep-max-concurrency --slo-search-by --slo-tolerance --slo-max-levels --slo-start --max-error-rate
    --stop-on-saturation --no-stop-on-saturation --requests --duration --warmup`,
  ),
  ...g("Outputs", "--out --slo --percentiles --strict --no-client-token-check --quiet"),
  ...g("Telemetry", "--metrics-url --no-metrics --metrics-interval --server-cmd --gpu-info-cmd --power"),
  ...g("Outputs", "--gpu-hourly-cost --gpu-count"),
  ...g("Load", "--cancel-rate --cancel-after"),
  // predict's preset flags (run spells them --sim-*), and the catalog listings.
  ...g(
    "Simulator",
    `--gpu --model-config --dtype --kv-dtype --tp --pp --max-model-len --gpu-memory-utilization --max-num-seqs
    --max-num-batched-tokens --kv-cache-blocks --no-prefix-caching --enforce-eager --spec-tokens --spec-acceptance
    --spec-draft-model --list-gpus --list-models`,
  ),
  ...g("Scale", "--workers --shard --start-at --barrier-dir --barrier-timeout --barrier-margin --level-gap --distributed"),
]);

/** Simulator flags are every `--sim-*` flag and the preset flags they share with `simulate`. */
function groupOf(long: string): Group | undefined {
  const known = FLAG_GROUPS.get(long);
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
