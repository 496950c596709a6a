// Owns one worker thread: runs its share of a level with its own StreamingClient and posts
// records back in batches. Loaded as compiled JS via new URL("./worker-entry.js", import.meta.url).

import { parentPort, workerData } from "node:worker_threads";
import { monotonicNowMs, realClock } from "../clock.js";
import { StreamingClient } from "../client/http-client.js";
import type { RequestSpec } from "../workload/request-spec.js";
import { runShare } from "./share-runner.js";
import { threadCpuMs } from "./thread-cpu.js";
import type { FromWorker, RecordItem, ToWorker, WorkerTask } from "./worker-protocol.js";

const BATCH_MS = 50;

async function main(task: WorkerTask): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const post = (m: FromWorker): void => port.postMessage(m);
  const controller = new AbortController();
  let batch: RecordItem[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    post({ kind: "records", items: batch });
    batch = [];
  };
  const timer = setInterval(flush, BATCH_MS);
  const client = new StreamingClient(task.client);
  let texts = 0;
  let reused = 0;
  const specAt = (index: number, local: number): RequestSpec => {
    if (!task.pooled) return task.specs[local] as RequestSpec;
    const pool = task.specs;
    if (index >= pool.length) reused++;
    const spec = pool[index % pool.length] as RequestSpec;
    return index < pool.length ? spec : { ...spec, index };
  };
  const waitFor = (kind: ToWorker["kind"]): Promise<void> =>
    new Promise((resolve) => {
      const on = (m: ToWorker): void => {
        if (m.kind !== kind) return;
        port.off("message", on);
        resolve();
      };
      port.on("message", on);
    });
  port.on("message", (m: ToWorker) => {
    if (m.kind === "abort") controller.abort();
  });
  const { share } = task;
  try {
    post({ kind: "ready" });
    await waitFor("warmup");
    await Promise.all(
      task.warmupSpecs.map(async (spec, i) => {
        const id = `${task.level}-w${share.warmupFirst + i}`;
        const sent = await client.send(
          spec,
          { id, level: task.level, warmup: true, scheduledMs: monotonicNowMs() - task.originMs, originMs: task.originMs },
          controller.signal,
        );
        batch.push({ record: sent.record });
      }),
    );
    flush();
    post({ kind: "warm-done" });
    await waitFor("start");
    const cpu0 = threadCpuMs();
    const wall0 = monotonicNowMs();
    let requests = 0;
    const localOf = (index: number): number => (index - share.firstIndex) / share.indexStride;
    const result = await runShare({
      level: task.level,
      share,
      arrival: task.arrival,
      burstiness: task.burstiness,
      seed: task.seed,
      durationMs: task.durationMs,
      clock: realClock,
      signal: controller.signal,
      send: async (index, scheduledAtMs, signal) => {
        const spec = specAt(index, localOf(index));
        // Text only for the completions the token check will count: the rest skip it per token.
        const keepText = (task.client.keepText ?? false) && texts < task.maxTexts;
        const meta = {
          id: `${task.level}-${index}`,
          level: task.level,
          warmup: false,
          scheduledMs: scheduledAtMs - task.originMs,
          originMs: task.originMs,
          keepText,
        };
        const sent = await client.send({ ...spec, index }, meta, signal);
        const item: RecordItem = { record: sent.record };
        if (sent.text !== undefined && texts < task.maxTexts && sent.record.outcome === "ok") {
          item.text = sent.text;
          texts++;
        }
        batch.push(item);
        requests++;
      },
    });
    const cpu1 = threadCpuMs();
    const wallMs = monotonicNowMs() - wall0;
    await client.close();
    flush();
    const cpuMs = cpu1.cpuMs - cpu0.cpuMs;
    post({
      kind: "done",
      stats: { worker: task.worker, requests, cpu_ms: cpuMs, wall_ms: wallMs, busy: wallMs > 0 ? cpuMs / wallMs : 0, cpu_scope: cpu1.scope },
      reused,
      interrupted: result.interrupted,
    });
  } catch (error) {
    flush();
    post({ kind: "failed", message: (error as Error).stack ?? String(error) });
  } finally {
    clearInterval(timer);
    port.close();
  }
}

void main(workerData as WorkerTask);
