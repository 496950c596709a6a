// Owns writing a RunConfigInput back as `servebench run` flags, for commands that start runs
// elsewhere (a plan's cells as Kubernetes Jobs, --distributed shards): the writers are the flag
// table's (run-flag-table.ts), the inverse of the parsers there.

import type { RunConfigInput } from "./run-config.js";
import { writeRunArgs } from "./run-flag-table.js";

/**
 * The `servebench run` flags that give this configuration (fields left out keep their defaults).
 *
 * @example runArgsFromConfig({ url: "http://vllm:8000", concurrency: [1, 8], durationMs: 60_000 })
 * // ["--url", "http://vllm:8000", "--concurrency", "1,8", "--duration", "60000ms"]
 */
export function runArgsFromConfig(input: RunConfigInput): string[] {
  return writeRunArgs(input);
}
