// Owns the command line's words for errors from the core: sim/, workload/ and run/ name config
// fields (in `where` and in backticks in the message: `tp`, `sim.tp`, `inputTokens`); a CLI user
// reads the flag they type instead (--tp, --sim-tp, --input-tokens), from the tables that define the flags.

import { flagForField, runFlagRows } from "../config/run-flag-table.js";
import { BenchError } from "../errors.js";
import { isPresetSetting, presetFlag } from "./sim-flags.js";

const RUN_FIELDS = new Set<string>(runFlagRows().map(([field]) => field));

/** Names the simulator uses that are neither preset settings nor run fields: `simulate`'s server flags and the listings. */
const OTHER_FLAGS = new Map([
  ["dialect", "--dialect"],
  ["faults", "--faults"],
  ["listModels", "--list-models"],
  ["listGpus", "--list-gpus"],
]);

/** The flag that sets a field: `tp` → --tp (as simulate and predict spell it), `sim.tp` → --sim-tp, `inputTokens` → --input-tokens. */
export function flagOfField(field: string): string | undefined {
  const path = field.split(".");
  if (path.length === 2 && path[0] === "sim") return flagForField(path);
  if (isPresetSetting(field)) return presetFlag(field, "simulate");
  return OTHER_FLAGS.get(field) ?? (RUN_FIELDS.has(field) ? flagForField(path) : undefined);
}

/** The same error with its fields spelled as flags (other errors, and names that are no field, unchanged). */
export function inFlagTerms(error: unknown): unknown {
  if (!(error instanceof BenchError)) return error;
  const message = error.message.replace(/`([A-Za-z.]+)`/g, (quoted, field: string) => flagOfField(field) ?? quoted);
  const where = error.where === undefined ? undefined : (flagOfField(error.where) ?? error.where);
  if (message === error.message && where === error.where) return error;
  return new BenchError(error.code, message, { ...(where === undefined ? {} : { where }), cause: error });
}

/** Runs a command whose errors come from the core, rethrowing them in flag terms. */
export async function withFlagNames<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    throw inFlagTerms(error);
  }
}
