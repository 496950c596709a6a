// Owns the progress events a run emits; the CLI renders them (live line on a TTY, one line per level otherwise).

import type { LevelSummary } from "../metrics/level.js";

export type ProgressEvent =
  | { kind: "info"; message: string }
  | { kind: "level-start"; level: number; label: string; requests: number; warmup: number }
  | { kind: "request-done"; level: number; done: number; errors: number; requests: number }
  | { kind: "level-end"; summary: LevelSummary };

export type ProgressListener = (event: ProgressEvent) => void;
