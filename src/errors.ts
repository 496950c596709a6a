// Owns the error vocabulary for set-up problems: one base class, stable codes.
// A misbehaving *server* is never a BenchError; it becomes a RequestRecord outcome.

export type BenchErrorCode =
  | "E_BAD_FLAG" // a command-line flag has a bad value or is unknown
  | "E_BAD_CONFIG" // a config or plan field is invalid
  | "E_BAD_URL" // --url is not an http(s) URL
  | "E_UNREACHABLE" // the target refused the connection before any request ran
  | "E_TOKENIZER" // tokenizer missing or unreadable
  | "E_DATASET" // dataset file missing or malformed (message names file and line)
  | "E_BAD_FILE" // a file servebench reads back (summary.json, cells.csv, pids.json, …) does not match its schema
  | "E_IO" // results directory not writable, file unreadable
  | "E_STRICT_MISMATCH" // --strict found token-count mismatches
  | "E_INTERRUPTED" // the user pressed Ctrl-C / SIGTERM
  | "E_SIMULATOR" // the embedded simulator failed to start
  | "E_WORKER" // a load-generating worker thread or shard process failed
  | "E_SHARD" // merge: a shard directory is missing, failed or does not belong to the run
  | "E_KUBECTL"; // k8s run: kubectl failed or the Job failed

export interface BenchErrorOptions {
  cause?: unknown;
  /** The flag, file or field the problem is about, e.g. "--concurrency" or "data.jsonl:12". */
  where?: string;
}

/** A set-up or configuration problem. The CLI prints `message` on one line and exits non-zero. */
export class BenchError extends Error {
  readonly code: BenchErrorCode;
  readonly where: string | undefined;

  constructor(code: BenchErrorCode, message: string, options: BenchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BenchError";
    this.code = code;
    this.where = options.where;
  }
}

export function isBenchError(value: unknown): value is BenchError {
  return value instanceof BenchError;
}
