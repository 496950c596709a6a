// Owns `servebench merge`: shard directories → one run directory, optionally waiting for shards
// still running (the in-cluster merge Job). Prints the merged table and every shard problem.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseDurationMs, parsePositiveInt } from "../config/units.js";
import { renderConsoleTable } from "../report/console.js";
import type { RunSummary } from "../results/run-summary.js";
import { mergeShards } from "../scale/merge-run.js";
import { EXIT } from "./exit-codes.js";

type Raw = Record<string, string | boolean | undefined>;

/** One line per level of a merged run: how the shards' starts were aligned and the latest shard's lateness. */
export function levelStartLines(summary: RunSummary): string {
  return (summary.run.scale?.merged?.levels ?? [])
    .map((l) => {
      const late = l.late_by_ms.filter((x): x is number => x !== null);
      const latest = late.length === 0 ? "" : `, latest shard ${Math.max(...late).toFixed(0)} ms late`;
      const gaveUp = l.barrier_missing.length === 0 ? "" : `, barrier gave up on shard ${l.barrier_missing.join(", ")}`;
      return `level ${l.level}: start aligned by ${l.aligned_by}${latest}${gaveUp}\n`;
    })
    .join("");
}

/** Waits until every directory has shard.json (a finished shard writes it last) or the time is up. */
async function waitForShards(dirs: readonly string[], waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let reported = -1;
  for (;;) {
    const pending = dirs.filter((d) => !existsSync(join(d, "shard.json")));
    if (pending.length === 0 || Date.now() >= deadline) return;
    if (pending.length !== reported) process.stderr.write(`servebench merge: waiting for ${pending.length} of ${dirs.length} shards\n`);
    reported = pending.length;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export async function mergeCommand(dirs: string[], raw: Raw): Promise<number> {
  const out = String(raw.out);
  if (typeof raw.wait === "string") await waitForShards(dirs, parseDurationMs(raw.wait, "--wait"));
  const result = await mergeShards(dirs, {
    out,
    allowMissing: raw.allowMissing === true,
    ...(typeof raw.expect === "string" ? { expectCount: parsePositiveInt(raw.expect, "--expect") } : {}),
  });
  const merged = result.summary.run.scale?.merged;
  process.stdout.write(renderConsoleTable(result.summary));
  for (const s of merged?.shards ?? []) {
    const clock =
      s.clock.server === undefined ? "clock offset unknown" : `clock ${s.clock.server.offset_ms.toFixed(1)} ± ${s.clock.server.bound_ms.toFixed(1)} ms`;
    process.stdout.write(
      `shard ${s.index}: ${s.status}, ${s.records} records, ${clock}${s.late_by_ms > 0 ? `, started ${s.late_by_ms.toFixed(0)} ms late` : ""}${s.problem === undefined ? "" : ` — ${s.problem}`}\n`,
    );
  }
  process.stdout.write(levelStartLines(result.summary));
  const skew = merged?.max_clock_skew_ms;
  process.stdout.write(
    `clock skew between shards: ${skew === null || skew === undefined ? "unknown (no server clock estimates)" : `at most ${skew.toFixed(1)} ms`}\n`,
  );
  process.stdout.write(`merged ${result.records} records from ${merged?.shards.filter((s) => s.status !== "missing").length ?? 0} shards: ${result.dir}\n`);
  return EXIT.ok;
}
