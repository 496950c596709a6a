// Bench helper: CPU time of other processes from /proc (Linux), so a bench can say how much of
// the machine the server under test and a spawned CLI used. NaN where /proc cannot be read.

import { readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc stat times are in ticks of 1/100 s. */
const TICKS_PER_S = 100;

/** Fields of /proc/<pid>/stat after the parenthesised command name (field 3 is index 0). */
function statFields(pid: number | "self"): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

const ticksMs = (a: string | undefined, b: string | undefined): number => ((Number(a) + Number(b)) * 1000) / TICKS_PER_S;

/** CPU time (user + system, all threads) of process `pid`, ms. */
export function processCpuMs(pid: number | undefined): number {
  const f = pid === undefined ? undefined : statFields(pid);
  return f === undefined ? NaN : ticksMs(f[11], f[12]);
}

/** CPU time of this process's children that have exited and been waited for (a spawnSync'd CLI), ms. */
export function childrenCpuMs(): number {
  const f = statFields("self");
  return f === undefined ? NaN : ticksMs(f[13], f[14]);
}
