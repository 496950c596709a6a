// Owns the CLI's exit codes; documented in the README.

export const EXIT = {
  ok: 0,
  /** An unexpected internal failure (a bug): the message and stack go to stderr. */
  crash: 1,
  /** Bad flag, config, file, tokenizer, URL, or an unreachable target. */
  badInput: 2,
  /** --strict found token-count mismatches. */
  strictMismatch: 3,
  /** `compare --fail-if`: a condition held at some level (the comparison itself ran). */
  compareFailed: 4,
  /** `plan run`, `k8s run --plan`: at least one cell failed (the others were run and written). */
  cellsFailed: 5,
  /** Ctrl-C / SIGTERM: finished records and summaries were written. */
  interrupted: 130,
} as const;
