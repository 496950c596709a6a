// Owns the launcher contract every server kind implements (local, existing, kubernetes): start
// and wait until ready, report death, hand over logs per cell, stop. A server that fails to start
// throws LaunchError (the cell fails, the plan goes on); only set-up mistakes are BenchErrors.

import type { PidRegistry } from "../pid-registry.js";
import type { ServerSpec } from "../plan-schema.js";
import type { CommandRunner } from "./command-runner.js";

export interface LaunchContext {
  /** Server name in the plan. */
  name: string;
  /** OUT/servers/<instance>/: the whole log and any rendered manifest or values live here. */
  instanceDir: string;
  registry: PidRegistry;
  runner: CommandRunner;
  /** The user's stop (Ctrl-C / SIGTERM). */
  signal: AbortSignal;
  emit: (message: string) => void;
  /** Kubernetes: the cell's manifest with its variables expanded. */
  manifestText?: string;
}

export interface RunningServer {
  readonly baseUrl: string;
  /** What was run, recorded in env.json as the server command. */
  readonly commandLine: string;
  /** Resolves with a reason if the server dies (process exit, port-forward gone). Never rejects. */
  readonly died: Promise<string>;
  /** Before every cell except the first on this server (e.g. POST /reset_prefix_cache). */
  beforeCell(): Promise<void>;
  /** Writes the log produced since the last call (or since start) to `path`. */
  collectLog(path: string, sinceIso: string): Promise<void>;
  /** Last lines of the server's log, for a failed cell's record. */
  tail(lines: number): Promise<string[]>;
  stop(): Promise<void>;
  /** Immediate hard stop (second Ctrl-C); synchronous. */
  killNow(): void;
}

export interface Launcher<S extends ServerSpec = ServerSpec> {
  start(spec: S, ctx: LaunchContext): Promise<RunningServer>;
}

/** The server could not be started or never became ready: cell data, not a plan error. */
export class LaunchError extends Error {
  constructor(
    readonly reason: string,
    readonly logTail: string[] = [],
  ) {
    super(reason);
    this.name = "LaunchError";
  }
}

export const shellQuote = (argv: readonly string[]): string => argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
