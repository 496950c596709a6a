// Bench helper: starts the independent mock server (bench/mock-sse-server.ts) in its own process,
// pinned to a core when asked and taskset exists; its ground-truth trace is written when it stops.

import { fileURLToPath } from "node:url";
import { spawnServerProcess, type SimProcess } from "./sim-process.js";

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
  return spawnServerProcess(argv, opts.core, "mock");
}
