// Owns running external commands (kubectl, helm) without a shell: one-shot commands with their
// output captured, and long-running ones (kubectl port-forward) as a process group. Injectable,
// so the Kubernetes launcher can be tested against recorded command expectations.

import { spawn } from "node:child_process";
import { spawnGroup, type SpawnedGroup } from "../process-group.js";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  run(argv: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<CommandResult>;
  /** Starts a long-running command in its own process group with output to `logFd`. */
  spawnLong(argv: readonly string[], options: { logFd: number; cwd: string; env: NodeJS.ProcessEnv }): Promise<SpawnedGroup>;
}

export const systemRunner: CommandRunner = {
  run(argv, options = {}) {
    const [command, ...args] = argv;
    return new Promise((resolve) => {
      const child = spawn(command ?? "", args, { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.once("error", (error) => {
        clearTimeout(timer);
        resolve({ code: null, stdout, stderr: `${stderr}${error.message}` });
      });
      child.once("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.on("error", () => {});
      child.stdin.end(options.input ?? "");
    });
  },
  spawnLong(argv, options) {
    return spawnGroup(argv, options);
  },
};
