// Owns turning a run config input into a validated RunConfig: the schema's defaults and checks,
// with every problem named by the flag a user typed (the flag table maps field paths to flags).

import { BenchError } from "../errors.js";
import { runConfigSchema, type RunConfig, type RunConfigInput } from "./run-config.js";
import { flagForField } from "./run-flag-table.js";

/** Validates and fills defaults. Throws BenchError(E_BAD_CONFIG) naming the field/flag. */
export function resolveRunConfig(input: RunConfigInput): RunConfig {
  const result = runConfigSchema.safeParse(input);
  if (result.success) return result.data;
  // Every problem at once, each naming its flag: fixing one should not reveal the next.
  const problems = result.error.issues.map((i) => `${flagForField(i.path)}: ${i.message}`);
  const where = result.error.issues[0] === undefined ? "config" : flagForField(result.error.issues[0].path);
  throw new BenchError("E_BAD_CONFIG", problems.length === 0 ? `${where}: invalid configuration` : [...new Set(problems)].join("; "), {
    where,
    cause: result.error,
  });
}
