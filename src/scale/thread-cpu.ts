// Owns measuring CPU time of the calling thread (Linux: /proc/thread-self/stat, so each worker
// thread counts only itself); elsewhere it falls back to the whole process and says so.

import { readFileSync } from "node:fs";

export interface CpuSample {
  cpuMs: number;
  /** "thread" when the figure is this thread's alone; "process" for the whole process. */
  scope: "thread" | "process";
}

/** Linux's USER_HZ: /proc stat times are in ticks of 1/100 s on every mainstream kernel. */
const TICKS_PER_S = 100;

export function threadCpuMs(): CpuSample {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(rest[11]) + Number(rest[12]);
    if (Number.isFinite(ticks)) return { cpuMs: (ticks * 1000) / TICKS_PER_S, scope: "thread" };
  } catch {
    // Not Linux: fall through.
  }
  const usage = process.cpuUsage();
  return { cpuMs: (usage.user + usage.system) / 1000, scope: "process" };
}
