// Owns running one level's share on N worker threads: splits the share, hands each worker its
// specs, starts warmups and the measured phase on all workers together, and passes every record
// back to the caller as it arrives. The caller writes records and aggregates, as in-process.

import { Worker } from "node:worker_threads";
import type { RequestRecord } from "../client/record.js";
import type { ClientOptions } from "../client/http-client.js";
import { BenchError } from "../errors.js";
export { resolveWorkerCount } from "../config/flag-values.js";
import type { ArrivalKind } from "../load/arrivals.js";
import type { RequestSpec } from "../workload/request-spec.js";
import { globalIndex, splitShare, type LevelShare } from "./load-split.js";
import { threadCpuMs } from "./thread-cpu.js";
import type { FromWorker, ToWorker, WorkerStats, WorkerTask } from "./worker-protocol.js";

export interface WorkerLevelInput {
  workers: number;
  level: number;
  share: LevelShare;
  arrival: ArrivalKind;
  burstiness: number;
  seed: number;
  durationMs?: number | undefined;
  /** Client options for the whole share; each worker gets its share of maxConnections. */
  client: ClientOptions;
  originMs: number;
  /** The spec of a global request index (for a duration-bound level: of the pool, index < poolSize). */
  specAt: (index: number) => RequestSpec;
  /** Duration-bound levels: size of the prompt pool that indices cycle through. */
  poolSize?: number;
  warmupSpecAt: (warmupIndex: number) => RequestSpec;
  maxTexts: number;
  signal: AbortSignal;
  keep: (record: RequestRecord, text: string | undefined) => void;
  /** Called once every worker has finished its warmups, just before the measured phase starts. */
  beforeMeasured: () => Promise<void>;
  /** Worker module (compiled JS); tests may point at dist/. */
  workerUrl?: URL;
}

export interface WorkerLevelResult {
  interrupted: boolean;
  workers: WorkerStats[];
  /** The coordinating thread's own CPU share while workers ran. */
  coordinator: { cpu_ms: number; wall_ms: number; busy: number };
  reused: number;
}

function taskFor(input: WorkerLevelInput, share: LevelShare, worker: number): WorkerTask {
  const pooled = !Number.isFinite(share.requests);
  const specs = pooled
    ? Array.from({ length: input.poolSize ?? 0 }, (_, i) => input.specAt(i))
    : Array.from({ length: share.requests }, (_, j) => input.specAt(globalIndex(share, j)));
  const warmupSpecs = Array.from({ length: share.warmupCount }, (_, j) => input.warmupSpecAt(share.warmupFirst + j));
  const task: WorkerTask = {
    worker,
    level: input.level,
    share,
    arrival: input.arrival,
    burstiness: input.burstiness,
    seed: input.seed,
    client: { ...input.client, maxConnections: share.connections },
    originMs: input.originMs,
    specs,
    pooled,
    warmupSpecs,
    maxTexts: Math.ceil(input.maxTexts / input.workers),
  };
  if (input.durationMs !== undefined) task.durationMs = input.durationMs;
  return task;
}

/** Runs the share on `workers` threads; resolves when every worker has drained and exited. */
export async function runLevelOnWorkers(input: WorkerLevelInput): Promise<WorkerLevelResult> {
  const shares = splitShare(input.share, input.workers);
  const url = input.workerUrl ?? new URL("./worker-entry.js", import.meta.url);
  const threads = shares.map((share, k) => new WorkerThread(new Worker(url, { workerData: taskFor(input, share, k) }), k, input.keep));
  const onAbort = (): void => threads.forEach((t) => t.send({ kind: "abort" }));
  input.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.all(threads.map((t) => t.next("ready")));
    threads.forEach((t) => t.send({ kind: "warmup" }));
    await Promise.all(threads.map((t) => t.next("warm-done")));
    await input.beforeMeasured();
    const cpu0 = threadCpuMs();
    const wall0 = performance.now();
    threads.forEach((t) => t.send({ kind: "start" }));
    const done = await Promise.all(threads.map((t) => t.next("done")));
    const cpuMs = threadCpuMs().cpuMs - cpu0.cpuMs;
    const wallMs = performance.now() - wall0;
    await Promise.all(threads.map((t) => t.exited));
    return {
      interrupted: input.signal.aborted || done.some((d) => d.interrupted),
      workers: done.map((d) => d.stats),
      coordinator: { cpu_ms: cpuMs, wall_ms: wallMs, busy: wallMs > 0 ? cpuMs / wallMs : 0 },
      reused: done.reduce((a, d) => a + d.reused, 0),
    };
  } finally {
    input.signal.removeEventListener("abort", onAbort);
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

type Done = Extract<FromWorker, { kind: "done" }>;

/** One worker and the messages still to be awaited from it. */
class WorkerThread {
  readonly exited: Promise<void>;
  private waiting: { kind: FromWorker["kind"]; resolve: (m: FromWorker) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly seen = new Map<FromWorker["kind"], FromWorker>();

  constructor(
    private readonly worker: Worker,
    private readonly index: number,
    keep: WorkerLevelInput["keep"],
  ) {
    worker.on("message", (m: FromWorker) => {
      if (m.kind === "records") {
        for (const item of m.items) keep(item.record, item.text);
        return;
      }
      if (m.kind === "failed") return this.fail(new BenchError("E_WORKER", `worker ${index} failed: ${m.message}`));
      this.seen.set(m.kind, m);
      if (this.waiting?.kind === m.kind) this.waiting.resolve(m);
    });
    worker.on("error", (e) => this.fail(new BenchError("E_WORKER", `worker ${index} crashed: ${e.message}`, { cause: e })));
    this.exited = new Promise((resolve) => worker.once("exit", () => resolve()));
    void this.exited.then(() => {
      if (!this.seen.has("done")) this.fail(new BenchError("E_WORKER", `worker ${index} exited before finishing its share`));
    });
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  next(kind: "done"): Promise<Done>;
  next(kind: "ready" | "warm-done"): Promise<FromWorker>;
  next(kind: FromWorker["kind"]): Promise<FromWorker> {
    const seen = this.seen.get(kind);
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { kind, resolve, reject };
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiting?.reject(this.failure);
    this.waiting = undefined;
  }
}
