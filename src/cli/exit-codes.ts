// Owns the CLI's exit codes; documented in the README ("Exit codes"), one table for every command.
// A CI job acts on these: 0 means the benchmark ran and nothing a threshold watches went wrong.

import type { BenchErrorCode } from "../errors.js";

export const EXIT = {
  ok: 0,
  /** An unexpected internal failure (a bug): the message and stack go to stderr. */
  crash: 1,
  /** Usage or bad input: a bad flag, config, file, tokenizer, URL, or an --out that already holds a run. */
  badInput: 2,
  /** --strict found token-count mismatches, or a server's usage that cannot be right. */
  strictMismatch: 3,
  /** `compare --fail-if`: a condition held at some level (the comparison itself ran). */
  compareFailed: 4,
  /** `plan run`, `k8s run --plan`: at least one cell failed (the others were run and written). */
  cellsFailed: 5,
  /**
   * The target is unreachable or failing: nothing answered at start-up, every request of a level
   * failed, the server stopped answering mid-level, or the error rate passed --max-error-rate.
   */
  targetFailed: 6,
  /** An aggregate --slo term (e.g. ttft_ms.p99<=500) was not met, or slo-search found no passing load. */
  sloNotMet: 7,
  /**
   * servebench's own machinery around the benchmark failed, not the target and not the input:
   * kubectl or a Kubernetes Job, a load-generating worker thread or shard process, the embedded simulator.
   */
  toolFailed: 8,
  /** Ctrl-C / SIGTERM (or the parent process went away): finished records and summaries were written. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Each error code's exit code: the core throws codes, only the CLI knows exit codes. A new
 * BenchErrorCode does not compile until it has a row here.
 */
export const EXIT_OF_ERROR: Record<BenchErrorCode, ExitCode> = {
  E_BAD_FLAG: EXIT.badInput,
  E_BAD_CONFIG: EXIT.badInput,
  E_BAD_URL: EXIT.badInput,
  E_TOKENIZER: EXIT.badInput,
  E_DATASET: EXIT.badInput,
  E_BAD_FILE: EXIT.badInput,
  E_IO: EXIT.badInput,
  E_SHARD: EXIT.badInput,
  E_STRICT_MISMATCH: EXIT.strictMismatch,
  E_UNREACHABLE: EXIT.targetFailed,
  E_KUBECTL: EXIT.toolFailed,
  E_WORKER: EXIT.toolFailed,
  E_SIMULATOR: EXIT.toolFailed,
  E_INTERRUPTED: EXIT.interrupted,
};
