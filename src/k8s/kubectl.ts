// Owns running the user's kubectl: one injectable function (argv and optional stdin in, exit code
// and output out) so `k8s run` is tested against recorded kubectl expectations without a cluster.

import { spawn } from "node:child_process";
import { BenchError } from "../errors.js";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (args: readonly string[], stdin?: string) => Promise<CommandResult>;

/** Runs `binary` (default: kubectl on PATH, or $KUBECTL). */
export function kubectlRunner(binary = process.env["KUBECTL"] ?? "kubectl"): CommandRunner {
  return (args, stdin) =>
    new Promise((resolve, reject) => {
      const child = spawn(binary, [...args], { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", (cause) => reject(new BenchError("E_KUBECTL", `cannot run ${binary}: ${cause.message}`, { where: "kubectl", cause })));
      child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(stdin ?? "");
    });
}

/** Runs kubectl and throws E_KUBECTL with its stderr when it fails. */
export async function kubectlOk(run: CommandRunner, args: readonly string[], stdin?: string): Promise<string> {
  const r = await run(args, stdin);
  if (r.code !== 0) throw new BenchError("E_KUBECTL", `kubectl ${args.join(" ")} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`, { where: "kubectl" });
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
  const job = JSON.parse(json) as { status?: { succeeded?: number; failed?: number; active?: number; failedIndexes?: string; completedIndexes?: string; conditions?: Array<{ type: string; status: string }> } };
  const s = job.status ?? {};
  const out: JobStatus = { succeeded: s.succeeded ?? 0, failed: s.failed ?? 0, active: s.active ?? 0 };
  const done = (s.conditions ?? []).find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
  if (done !== undefined) out.finished = done.type as "Complete" | "Failed";
  if (s.failedIndexes !== undefined) out.failedIndexes = s.failedIndexes;
  if (s.completedIndexes !== undefined) out.completedIndexes = s.completedIndexes;
  return out;
}
