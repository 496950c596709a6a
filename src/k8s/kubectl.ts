// Owns running the user's kubectl: one injectable function (argv and optional stdin in, exit code
// and output out, each call time-bounded by plan/timed-command.ts) so `k8s run` is tested against recorded kubectl expectations without a cluster.

import { BenchError } from "../errors.js";
import { describeFailure, runTimedCommand } from "../plan/timed-command.js";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Killed at the time bound. */
  timedOut?: boolean;
}

/** Most kubectl calls answer in seconds; a hung API server or auth plugin must not hang the run. */
export const KUBECTL_TIMEOUT_MS = 120_000;

export type CommandRunner = (args: readonly string[], stdin?: string, options?: { timeoutMs?: number }) => Promise<CommandResult>;

/** Runs `binary` (default: kubectl on PATH, or $KUBECTL), each call killed after its timeout (default KUBECTL_TIMEOUT_MS). */
export function kubectlRunner(binary = process.env["KUBECTL"] ?? "kubectl"): CommandRunner {
  return async (args, stdin, options = {}) => {
    const timeoutMs = options.timeoutMs ?? KUBECTL_TIMEOUT_MS;
    const r = await runTimedCommand([binary, ...args], { timeoutMs, ...(stdin === undefined ? {} : { input: stdin }) });
    if (r.startError !== undefined) throw new BenchError("E_KUBECTL", `cannot run ${binary}: ${r.startError}`, { where: "kubectl" });
    if (r.timedOut) return { code: 1, stdout: r.stdout, stderr: `${r.stderr}${describeFailure(r, timeoutMs)}`, timedOut: true };
    return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
}

/** Runs kubectl and throws E_KUBECTL with its stderr when it fails or times out. */
export async function kubectlOk(run: CommandRunner, args: readonly string[], stdin?: string, options?: { timeoutMs?: number }): Promise<string> {
  const r = await run(args, stdin, options);
  if (r.timedOut === true)
    throw new BenchError("E_KUBECTL", `kubectl ${args.join(" ")} ${r.stderr.trim().split("\n").pop() ?? "timed out"}`, { where: "kubectl" });
  if (r.code !== 0)
    throw new BenchError("E_KUBECTL", `kubectl ${args.join(" ")} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`, { where: "kubectl" });
  return r.stdout;
}

export interface JobStatus {
  succeeded: number;
  failed: number;
  active: number;
  /** "Complete" or "Failed" once the Job has finished. */
  finished?: "Complete" | "Failed";
  failedIndexes?: string;
  completedIndexes?: string;
}

/** Reads `kubectl get job -o json` output. */
export function parseJobStatus(json: string): JobStatus {
  const job = JSON.parse(json) as {
    status?: {
      succeeded?: number;
      failed?: number;
      active?: number;
      failedIndexes?: string;
      completedIndexes?: string;
      conditions?: Array<{ type: string; status: string }>;
    };
  };
  const s = job.status ?? {};
  const out: JobStatus = { succeeded: s.succeeded ?? 0, failed: s.failed ?? 0, active: s.active ?? 0 };
  const done = (s.conditions ?? []).find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
  if (done !== undefined) out.finished = done.type as "Complete" | "Failed";
  if (s.failedIndexes !== undefined) out.failedIndexes = s.failedIndexes;
  if (s.completedIndexes !== undefined) out.completedIndexes = s.completedIndexes;
  return out;
}
