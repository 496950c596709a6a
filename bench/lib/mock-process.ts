// Bench helper: starts the independent mock server (bench/mock-sse-server.ts) in its own process,
// pinned to a core when asked and taskset exists; its ground-truth trace is written when it stops.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { hasTaskset, type SimProcess } from "./sim-process.js";

const MOCK = fileURLToPath(new URL("../mock-sse-server.js", import.meta.url));

export interface MockOptions {
  perTokenMs: number;
  tokensPerWrite?: number;
  /** Where the mock writes its per-token send times on stop ("" = none). */
  trace?: string;
  /** Pin to this core (undefined: let the OS place it). */
  core?: number | undefined;
}

export async function startMockProcess(opts: MockOptions): Promise<SimProcess> {
  const argv = [MOCK, "--per-token-ms", String(opts.perTokenMs), "--tokens-per-write", String(opts.tokensPerWrite ?? 1), "--trace", opts.trace ?? ""];
  const child =
    opts.core !== undefined && hasTaskset()
      ? spawn("taskset", ["-c", String(opts.core), process.execPath, ...argv], { stdio: ["ignore", "pipe", "inherit"] })
      : spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("http"));
      if (line) resolve(line.trim());
    });
    child.on("exit", (code) => reject(new Error(`mock exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
