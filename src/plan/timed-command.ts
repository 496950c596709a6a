// Owns running one external command (kubectl, helm, launchers, GPU tools) to completion within a
// time bound: no shell unless the argv asks for one, output captured up to a cap, killed at the
// deadline or on abort. Every one-shot command servebench runs goes through here, so none can hang
// a run or a plan.

import { spawn } from "node:child_process";

export interface TimedCommandOptions {
  /** Killed (SIGKILL) after this long; the result says timedOut. */
  timeoutMs: number;
  /** Written to stdin, which is then closed. */
  input?: string;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Output kept per stream; the rest is dropped and the result says truncated. Default 64 MiB. */
  maxOutputBytes?: number;
  /**
   * Start the command in a process group of its own and kill the whole group at the deadline or on
   * abort, so a shell's children (`sh -c "a | b"`) cannot outlive it. Default false.
   */
  processGroup?: boolean;
}

export interface TimedCommandResult {
  /** Exit code; null when killed, timed out or never started. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  truncated: boolean;
  /** Why it never started (e.g. "spawn kubectl ENOENT"). */
  startError?: string;
}

const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** After the process exits, how long to wait for its pipes: a grandchild may hold them open. */
const PIPE_GRACE_MS = 1000;

/**
 * Runs `argv` and resolves (never rejects) once it has exited, timed out or been aborted.
 * @example const r = await runTimedCommand(["kubectl", "get", "pods"], { timeoutMs: 60_000 });
 */
export function runTimedCommand(argv: readonly string[], options: TimedCommandOptions): Promise<TimedCommandResult> {
  const [command, ...args] = argv;
  const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  return new Promise((resolve) => {
    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[], bytes: { stdout: 0, stderr: 0 } };
    let timedOut = false;
    let aborted = false;
    let truncated = false;
    let settled = false;
    let exitCode: number | null = null;
    const child = spawn(command ?? "", args, {
      stdio: ["pipe", "pipe", "pipe"],
      detached: options.processGroup === true,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const kill = (): void => {
      if (options.processGroup === true && child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
          return;
        } catch {
          // the group is gone already: fall through to the child itself
        }
      }
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted === true) onAbort();
    let pipeTimer: NodeJS.Timeout | undefined;
    const finish = (startError?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(pipeTimer);
      options.signal?.removeEventListener("abort", onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString("utf8");
      resolve({
        code: timedOut || aborted ? null : exitCode,
        stdout: text(out.stdout),
        stderr: text(out.stderr),
        timedOut,
        aborted,
        truncated,
        ...(startError === undefined ? {} : { startError }),
      });
    };
    const keep = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const room = cap - out.bytes[stream];
      if (room <= 0) {
        truncated = true;
        return;
      }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part.length < chunk.length) truncated = true;
      out[stream].push(part);
      out.bytes[stream] += part.length;
    };
    child.stdout.on("data", keep("stdout"));
    child.stderr.on("data", keep("stderr"));
    child.once("error", (error) => finish(error.message));
    child.once("exit", (code) => {
      exitCode = code;
      pipeTimer = setTimeout(() => finish(), PIPE_GRACE_MS);
    });
    child.once("close", () => finish());
    // A command that exits without reading its input must not crash us with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

/** One line for a failed result: "timed out after 120 s", "exit 1: <stderr>", "could not start: …". */
export function describeFailure(result: TimedCommandResult, timeoutMs: number): string {
  if (result.startError !== undefined) return `could not start: ${result.startError}`;
  if (result.timedOut) return `did not finish within ${Math.round(timeoutMs / 1000)} s (killed)`;
  if (result.aborted) return "stopped (interrupted)";
  const detail = result.stderr.trim() || result.stdout.trim();
  return `exit ${String(result.code)}${detail === "" ? "" : `: ${detail}`}`;
}

/** Why a result is not a success, in one line ("timed out after 500 ms", "exit 1: …"); undefined on exit 0. */
export function failureOf(result: TimedCommandResult, timeoutMs: number): string | undefined {
  if (result.timedOut) return `timed out after ${timeoutMs} ms`;
  if (result.code === 0) return undefined;
  return describeFailure(result, timeoutMs).split("\n")[0];
}
