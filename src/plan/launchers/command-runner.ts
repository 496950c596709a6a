// Owns running external commands (kubectl, helm) without a shell: one-shot ones with output
// captured and always a time bound (timed-command.ts), long-running ones (kubectl port-forward) as
// a process group. Injectable, so the Kubernetes launcher is tested against recorded commands.

import { spawnGroup, type SpawnedGroup } from "../process-group.js";
import { describeFailure, runTimedCommand } from "../timed-command.js";

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

/** Commands without their own timeout are still bounded: a hung helm or kubectl must not hang a plan. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 300_000;

export const systemRunner: CommandRunner = {
  async run(argv, options = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const r = await runTimedCommand(argv, { timeoutMs, ...(options.input === undefined ? {} : { input: options.input }) });
    const why = r.code === null ? describeFailure(r, timeoutMs) : "";
    return { code: r.code, stdout: r.stdout, stderr: why === "" ? r.stderr : `${r.stderr}${r.stderr.endsWith("\n") || r.stderr === "" ? "" : "\n"}${why}` };
  },
  spawnLong(argv, options) {
    return spawnGroup(argv, options);
  },
};
