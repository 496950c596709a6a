// Owns `servebench k8s barrier arrive|wait`: the file barrier (src/scale/barrier.ts) from a shell,
// used inside the pods of a plan's cells so each cell starts when the previous one is done: its
// shards `arrive` when their run ends, the next cell's shards `wait` and get the common instant.

import type { Command } from "commander";
import { wallClock } from "../clock.js";
import { parseDurationMs, parsePositiveInt } from "../config/units.js";
import { arrive, awaitBarrier } from "../scale/barrier.js";
import { parseShardFlag } from "../scale/load-split.js";
import { EXIT } from "./exit-codes.js";

type Raw = Record<string, string | boolean | undefined>;

function nonNegativeMs(value: string, flag: string): number {
  return /^\s*0+(\.0*)?\s*(ms|s|m|h)?\s*$/.test(value) ? 0 : parseDurationMs(value, flag);
}

async function waitCommand(dir: string, name: string, raw: Raw): Promise<number> {
  const count = parsePositiveInt(String(raw.shards), "--shards");
  const result = await awaitBarrier({
    dir,
    name,
    count,
    timeoutMs: parseDurationMs(String(raw.timeout), "--timeout"),
    marginMs: nonNegativeMs(String(raw.margin), "--margin"),
    // Waits can last a whole cell: a poll a second is plenty.
    pollMs: 1000,
    clock: wallClock,
    ...(typeof raw.giveUpAt === "string" ? { giveUpAtEpochMs: parsePositiveInt(raw.giveUpAt, "--give-up-at") } : {}),
  });
  const gaveUp = result.timedOut ? `; gave up on shard ${result.missing.join(", ")}` : "";
  process.stderr.write(`servebench: barrier ${name}: start at ${new Date(result.atEpochMs).toISOString()}${gaveUp}\n`);
  process.stdout.write(`${result.atEpochMs}\n`);
  return EXIT.ok;
}

/** Registers `k8s barrier arrive|wait` under the k8s command. */
export function addK8sBarrierCommands(k8s: Command, setExit: (code: number) => void): void {
  const barrier = k8s.command("barrier").description("meet other shards through marker files in a shared directory (used inside the pods)");
  barrier
    .command("arrive")
    .description("mark that this shard reached barrier NAME now")
    .argument("<dir>", "shared directory")
    .argument("<name>", "barrier name, e.g. cell-0.done")
    .requiredOption("--shard <I/N>", "this shard")
    .action((dir: string, name: string, opts: Raw) => {
      arrive(dir, name, parseShardFlag(String(opts.shard), "--shard").index, Date.now());
      setExit(EXIT.ok);
    });
  barrier
    .command("wait")
    .description("wait until every shard arrived at NAME (or it gives up) and print the common start instant (epoch ms)")
    .argument("<dir>", "shared directory")
    .argument("<name>", "barrier name, e.g. cell-0.done")
    .requiredOption("--shards <n>", "number of shards that arrive")
    .option("--timeout <time>", "after the first arrival, give up on the rest after this long", "10m")
    .option("--margin <time>", "the instant is the last arrival plus this", "1s")
    .option("--give-up-at <epoch-ms>", "give up at this instant even if nobody arrived")
    .action(async (dir: string, name: string, opts: Raw) => setExit(await waitCommand(dir, name, opts)));
}
