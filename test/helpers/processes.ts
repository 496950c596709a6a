// Test helper: which processes a PID started and whether a PID still lives (Linux /proc), for
// checking that nothing is orphaned; and polling a condition with a bound.

import { readdirSync, readFileSync } from "node:fs";

/** Direct children of `pid` (from /proc/<pid>/task/<tid>/children). */
export function childPids(pid: number): number[] {
  try {
    const tasks = readdirSync(`/proc/${pid}/task`);
    return tasks.flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter((s) => s !== "")
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** Every descendant of `pid`. */
export function descendantPids(pid: number): number[] {
  const out: number[] = [];
  for (const c of childPids(pid)) out.push(c, ...descendantPids(c));
  return out;
}

/** True while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** Polls `check` every 50 ms; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
