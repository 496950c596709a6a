// Owns rendering the Kubernetes manifest of a sharded run: an Indexed Job whose pod I runs
// `servebench run ... --shard I/N --start-at T` (I from JOB_COMPLETION_INDEX), shard outputs on a
// shared volume or an S3-compatible bucket, and a merge Job that waits for every shard. Pure: no I/O.

import { stringify } from "yaml";
import { BenchError } from "../errors.js";

export type Storage = { kind: "pvc"; claim: string } | { kind: "s3"; bucket: string; prefix: string; endpoint?: string; region: string; secret: string };

export interface RenderOptions {
  name: string;
  namespace?: string;
  shards: number;
  image: string;
  /** `servebench run` flags (without --out, --shard, --start-at). */
  runArgs: string[];
  startAtEpochMs: number;
  storage: Storage;
  cpu: string;
  memory: string;
  /** Secret holding the API key under key `api-key`, exposed as OPENAI_API_KEY. */
  apiKeySecret?: string;
  /** Include the Job that waits for all shards and merges them (k8s run merges locally instead). */
  mergeJob: boolean;
  /** How long the merge waits for shards, and the shard Job's deadline. */
  deadlineS: number;
}

const RESULTS = "/results";

/** Quotes a word for /bin/sh. */
export function shQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Parses --storage: `pvc:CLAIM` or `s3://bucket/prefix`. */
export function parseStorage(value: string, s3: { endpoint?: string; region?: string; secret?: string }): Storage {
  if (value.startsWith("pvc:") && value.length > 4) return { kind: "pvc", claim: value.slice(4) };
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(value);
  if (m) {
    if (s3.secret === undefined) throw new BenchError("E_BAD_FLAG", "--storage s3://...: pass --s3-secret NAME (a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)", { where: "--s3-secret" });
    const storage: Storage = { kind: "s3", bucket: m[1] as string, prefix: (m[2] ?? "").replace(/\/+$/, ""), region: s3.region ?? "us-east-1", secret: s3.secret };
    if (s3.endpoint !== undefined) storage.endpoint = s3.endpoint;
    return storage;
  }
  throw new BenchError("E_BAD_FLAG", `--storage: expected pvc:CLAIM or s3://bucket/prefix, got "${value}"`, { where: "--storage" });
}

export function checkName(name: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/.test(name)) {
    throw new BenchError("E_BAD_FLAG", `--name: "${name}" must be a DNS label of at most 42 characters (a-z, 0-9, -)`, { where: "--name" });
  }
  return name;
}

/** Where shard I writes, as a path in the container (pvc) or an s3:// URL. */
export function shardLocation(o: RenderOptions, index: string): string {
  return o.storage.kind === "pvc" ? `${RESULTS}/${o.name}/shard-${index}` : `s3://${o.storage.bucket}/${joinKey(o.storage.prefix, o.name)}/shard-${index}`;
}

function joinKey(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

function shardScript(o: RenderOptions): string {
  const words = ["servebench", "run", ...o.runArgs].map(shQuote);
  const quoted = [...words, "--shard", `"$JOB_COMPLETION_INDEX/${o.shards}"`, "--start-at", String(o.startAtEpochMs), "--quiet"];
  if (o.storage.kind === "pvc") {
    // The shared volume doubles as the level barrier: every level starts on all shards at once.
    return `set -u\nexec ${quoted.join(" ")} --barrier-dir ${RESULTS}/${o.name}/barrier --out ${RESULTS}/${o.name}/shard-"$JOB_COMPLETION_INDEX"\n`;
  }
  const dest = `s3://${o.storage.bucket}/${joinKey(o.storage.prefix, o.name)}/shard-"$JOB_COMPLETION_INDEX"`;
  return `set -u\n${quoted.join(" ")} --out /tmp/shard; rc=$?\nservebench k8s push /tmp/shard ${dest} || rc=1\nexit $rc\n`;
}

function mergeScript(o: RenderOptions): string {
  const dirs = Array.from({ length: o.shards }, (_, i) => `shard-${i}`);
  if (o.storage.kind === "pvc") {
    const base = `${RESULTS}/${o.name}`;
    return `set -u\nexec servebench merge --wait ${o.deadlineS}s --out ${base}/merged ${dirs.map((d) => `${base}/${d}`).join(" ")}\n`;
  }
  const url = `s3://${o.storage.bucket}/${joinKey(o.storage.prefix, o.name)}`;
  return [
    "set -eu",
    `servebench k8s pull ${url} --shards ${o.shards} --wait ${o.deadlineS}s --to /tmp/shards`,
    `servebench merge --out /tmp/merged ${dirs.map((d) => `/tmp/shards/${d}`).join(" ")}`,
    `servebench k8s push /tmp/merged ${url}/merged`,
    "",
  ].join("\n");
}

function podSpec(o: RenderOptions, script: string, shard: boolean): Record<string, unknown> {
  const env: Array<Record<string, unknown>> = [];
  if (o.apiKeySecret !== undefined && shard) env.push({ name: "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: o.apiKeySecret, key: "api-key" } } });
  const container: Record<string, unknown> = {
    name: shard ? "shard" : "merge",
    image: o.image,
    command: ["/bin/sh", "-c", script],
    resources: shard
      ? { requests: { cpu: o.cpu, memory: o.memory }, limits: { cpu: o.cpu, memory: o.memory } }
      : { requests: { cpu: "1", memory: o.memory }, limits: { memory: o.memory } },
  };
  const volumes: Array<Record<string, unknown>> = [];
  if (o.storage.kind === "pvc") {
    container["volumeMounts"] = [{ name: "results", mountPath: RESULTS }];
    volumes.push({ name: "results", persistentVolumeClaim: { claimName: o.storage.claim } });
  } else {
    container["envFrom"] = [{ secretRef: { name: o.storage.secret } }];
    env.push({ name: "AWS_REGION", value: o.storage.region });
    if (o.storage.endpoint !== undefined) env.push({ name: "SERVEBENCH_S3_ENDPOINT", value: o.storage.endpoint });
  }
  if (env.length > 0) container["env"] = env;
  const spec: Record<string, unknown> = { restartPolicy: "Never", containers: [container] };
  if (volumes.length > 0) spec["volumes"] = volumes;
  return spec;
}

function labels(o: RenderOptions, role: string): Record<string, string> {
  return { "app.kubernetes.io/name": "servebench", "app.kubernetes.io/instance": o.name, "servebench.dev/role": role };
}

/** The manifest objects, in apply order. */
export function renderObjects(o: RenderOptions): Array<Record<string, unknown>> {
  const meta = (name: string, role: string): Record<string, unknown> => ({
    name,
    ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
    labels: labels(o, role),
    annotations: { "servebench.dev/start-at": new Date(o.startAtEpochMs).toISOString() },
  });
  const shardJob = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(o.name, "shard"),
    spec: {
      completionMode: "Indexed",
      completions: o.shards,
      parallelism: o.shards,
      // A retried shard would start late and skew the run: fail it and let the merge say so.
      backoffLimit: 0,
      activeDeadlineSeconds: o.deadlineS,
      template: { metadata: { labels: labels(o, "shard") }, spec: podSpec(o, shardScript(o), true) },
    },
  };
  const objects: Array<Record<string, unknown>> = [shardJob];
  if (o.mergeJob) {
    objects.push({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: meta(`${o.name}-merge`, "merge"),
      spec: {
        completions: 1,
        parallelism: 1,
        backoffLimit: 0,
        activeDeadlineSeconds: o.deadlineS + 600,
        template: { metadata: { labels: labels(o, "merge") }, spec: podSpec(o, mergeScript(o), false) },
      },
    });
  }
  return objects;
}

export function renderManifest(o: RenderOptions): string {
  const header = `# servebench: ${o.shards} shards of one run, starting together at ${new Date(o.startAtEpochMs).toISOString()}.\n# Rendered by \`servebench k8s render\`; apply soon after rendering (a pod that starts after the instant begins at once and is flagged late).\n`;
  return header + renderObjects(o).map((obj) => stringify(obj, { lineWidth: 0 })).join("---\n");
}
