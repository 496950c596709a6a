// Owns the per-second series of a merged run, per shard and in total, on the common timeline
// (seconds since the shared start instant): completions, errors and output tokens by end time.

import type { RequestRecord } from "../client/record.js";
import { outputTokensOf } from "../metrics/derive.js";

/** Per second: [completed, errored, output tokens]. */
export type SecondBins = Array<[number, number, number]>;

export function addToSeries(bins: SecondBins, r: RequestRecord): void {
  if (r.warmup) return;
  const second = Math.max(0, Math.floor(r.endMs / 1000));
  while (bins.length <= second) bins.push([0, 0, 0]);
  const bin = bins[second] as [number, number, number];
  if (r.outcome === "ok") {
    bin[0]++;
    bin[2] += outputTokensOf(r) ?? 0;
  } else if (r.outcome === "error") bin[1]++;
}

/** CSV: second, epoch_ms (start of the second), shard ("all" = every shard), completed, errored, output_tokens. */
export function seriesCsv(byShard: ReadonlyMap<number, SecondBins>, startAtEpochMs: number): string {
  const rows = ["second,epoch_ms,shard,completed,errored,output_tokens"];
  const all: SecondBins = [];
  const shards = [...byShard.keys()].sort((a, b) => a - b);
  for (const shard of shards) {
    (byShard.get(shard) as SecondBins).forEach(([ok, err, tokens], s) => {
      rows.push(`${s},${startAtEpochMs + s * 1000},${shard},${ok},${err},${tokens}`);
      while (all.length <= s) all.push([0, 0, 0]);
      const a = all[s] as [number, number, number];
      a[0] += ok;
      a[1] += err;
      a[2] += tokens;
    });
  }
  all.forEach(([ok, err, tokens], s) => rows.push(`${s},${startAtEpochMs + s * 1000},all,${ok},${err},${tokens}`));
  return `${rows.join("\n")}\n`;
}
