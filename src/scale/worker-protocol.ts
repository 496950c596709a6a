// Owns the messages between the level coordinator and its worker threads. Everything here is
// structured-cloneable: a worker gets its share and its request specs, never a live object.

import type { RequestRecord } from "../client/record.js";
import type { ClientOptions } from "../client/http-client.js";
import type { ArrivalKind } from "../load/arrivals.js";
import type { RequestSpec } from "../workload/request-spec.js";
import type { LevelShare } from "./load-split.js";
import type { WorkerStats } from "../results/scale-info.js";
export type { WorkerStats };

export interface WorkerTask {
  worker: number;
  level: number;
  share: LevelShare;
  arrival: ArrivalKind;
  burstiness: number;
  seed: number;
  durationMs?: number;
  client: ClientOptions;
  /** The run's clock origin (monotonic ms, comparable across threads of one process). */
  originMs: number;
  /** Measured specs: one per local job (finite share), or the level's prompt pool (cycled by global index). */
  specs: RequestSpec[];
  pooled: boolean;
  /** Warmup specs of this share, in warmup-index order. */
  warmupSpecs: RequestSpec[];
  /** Keep text (for the client token check) of at most this many completions. */
  maxTexts: number;
}

export interface RecordItem {
  record: RequestRecord;
  text?: string;
}

export type ToWorker = { kind: "warmup" } | { kind: "start" } | { kind: "abort" };

export type FromWorker =
  | { kind: "ready" }
  | { kind: "records"; items: RecordItem[] }
  | { kind: "warm-done" }
  | { kind: "done"; stats: WorkerStats; reused: number; interrupted: boolean }
  | { kind: "failed"; message: string };
