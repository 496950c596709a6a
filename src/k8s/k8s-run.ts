// Owns `servebench k8s run`: renders the shard Job with a start instant a little ahead, applies
// it with the user's kubectl, follows its progress, gathers every shard directory (kubectl cp
// from a short-lived pod on the volume, or from the bucket) and merges them locally.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { BenchError } from "../errors.js";
import { mergeShards, type MergeResult } from "../scale/merge-run.js";
import { kubectlOk, parseJobStatus, type CommandRunner, type JobStatus } from "./kubectl.js";
import { renderManifest, shardLocation, type RenderOptions } from "./manifest.js";
import { pullShards, type S3Store } from "./s3-store.js";

export interface K8sRunOptions extends Omit<RenderOptions, "startAtEpochMs" | "mergeJob"> {
  /** Start this long after applying, so every pod has time to be scheduled and pull the image. */
  startDelayMs: number;
  out: string;
  pollMs: number;
  kubectl: CommandRunner;
  /** Needed for s3 storage. */
  s3?: S3Store;
  log: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

function nsArgs(o: K8sRunOptions): string[] {
  return o.namespace === undefined ? [] : ["-n", o.namespace];
}

export async function runOnKubernetes(o: K8sRunOptions): Promise<MergeResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const render: RenderOptions = { ...o, startAtEpochMs: now() + o.startDelayMs, mergeJob: false };
  const manifest = renderManifest(render);
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, "manifest.yaml"), manifest);
  await kubectlOk(o.kubectl, ["apply", "-f", "-", ...nsArgs(o)], manifest);
  o.log(`applied job/${o.name}: ${o.shards} shards start at ${new Date(render.startAtEpochMs).toISOString()}`);
  const status = await follow(o, sleep);
  const dirs = await gather(o, sleep);
  try {
    return await mergeShards(dirs, { out: o.out, expectCount: o.shards });
  } catch (error) {
    if (status.finished === "Failed" && error instanceof BenchError) {
      const which = status.failedIndexes === undefined ? "" : ` (failed indexes ${status.failedIndexes})`;
      throw new BenchError(
        "E_SHARD",
        `job/${o.name} failed${which}; ${error.message}\nlogs: kubectl logs ${nsArgs(o).join(" ")} -l app.kubernetes.io/instance=${o.name} --prefix`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function follow(o: K8sRunOptions, sleep: (ms: number) => Promise<void>): Promise<JobStatus> {
  let last = "";
  for (;;) {
    const status = parseJobStatus(await kubectlOk(o.kubectl, ["get", "job", o.name, "-o", "json", ...nsArgs(o)]));
    const line = `job/${o.name}: ${status.succeeded}/${o.shards} shards done, ${status.active} running, ${status.failed} failed`;
    if (line !== last) o.log(line);
    last = line;
    if (status.finished !== undefined) return status;
    await sleep(o.pollMs);
  }
}

/** Copies every shard directory to <out>/shards/shard-I; returns their paths (some may be incomplete). */
async function gather(o: K8sRunOptions, sleep: (ms: number) => Promise<void>): Promise<string[]> {
  const into = join(o.out, "shards");
  if (o.storage.kind === "s3") {
    if (o.s3 === undefined) throw new BenchError("E_BAD_CONFIG", "s3 storage: no S3 client configured");
    const base = shardLocation({ ...o, startAtEpochMs: 0, mergeJob: false }, "0").replace(/\/shard-0$/, "");
    return pullShards(o.s3, base, o.shards, into, 0, sleep);
  }
  // A pod that only mounts the volume, so kubectl cp can read the shards after the Job's pods are gone.
  const pod = `${o.name}-fetch`;
  const manifest = stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: pod, ...(o.namespace === undefined ? {} : { namespace: o.namespace }), labels: { "app.kubernetes.io/instance": o.name } },
    spec: {
      restartPolicy: "Never",
      containers: [{ name: "fetch", image: o.image, command: ["sleep", "3600"], volumeMounts: [{ name: "results", mountPath: "/results" }] }],
      volumes: [{ name: "results", persistentVolumeClaim: { claimName: o.storage.claim } }],
    },
  });
  await kubectlOk(o.kubectl, ["apply", "-f", "-", ...nsArgs(o)], manifest);
  try {
    // kubectl's own --timeout, plus a margin, bounds the wait; a copy of many shards may take longer than one call.
    await kubectlOk(o.kubectl, ["wait", "--for=condition=Ready", `pod/${pod}`, "--timeout=300s", ...nsArgs(o)], undefined, { timeoutMs: 330_000 });
    const remote = `${o.namespace === undefined ? "" : `${o.namespace}/`}${pod}:/results/${o.name}`;
    await kubectlOk(o.kubectl, ["cp", remote, into, ...nsArgs(o)], undefined, { timeoutMs: 1_800_000 });
  } finally {
    await o.kubectl(["delete", "pod", pod, "--wait=false", ...nsArgs(o)]);
  }
  return Array.from({ length: o.shards }, (_, i) => join(into, `shard-${i}`));
}
