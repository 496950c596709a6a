// Bench helper: starts `servebench simulate` in its own process (pinned to a core when taskset
// exists) so the client under test never shares an event loop or a core with the server.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { processCpuMs } from "./proc-cpu.js";

const CLI = fileURLToPath(new URL("../../../dist/cli/main.js", import.meta.url));

export interface SimProcess {
  url: string;
  child: ChildProcess;
  /** The server's CPU time so far (user + system, all its threads), ms; NaN without /proc. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export function hasTaskset(): boolean {
  return spawnSync("taskset", ["-V"]).status === 0;
}

/** Pins the current process to `core` (best effort). */
export function pinSelf(core: number): boolean {
  return hasTaskset() && spawnSync("taskset", ["-pc", String(core), String(process.pid)]).status === 0;
}

export async function startSimProcess(args: string[], core = 1): Promise<SimProcess> {
  return spawnServerProcess([CLI, "simulate", "--port", "0", "--print-url", ...args], core, "simulator");
}

/**
 * Starts `node argv…` (on `core` when given and taskset exists) and resolves once it prints the
 * URL it listens on; `stop` sends SIGTERM and waits for the exit.
 */
export async function spawnServerProcess(argv: string[], core: number | undefined, what: string): Promise<SimProcess> {
  const child =
    core !== undefined && hasTaskset()
      ? spawn("taskset", ["-c", String(core), process.execPath, ...argv], { stdio: ["ignore", "pipe", "inherit"] })
      : spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("http"));
      if (line) resolve(line.trim());
    });
    child.on("exit", (code) => reject(new Error(`${what} exited with ${code}`)));
  });
  return {
    url,
    child,
    // taskset execs node in place: the pid is the server's own.
    cpuMs: () => processCpuMs(child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
