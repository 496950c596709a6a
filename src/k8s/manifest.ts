// Owns rendering the Kubernetes manifest of a sharded run: an Indexed Job whose pod I runs
// `servebench run ... --shard I/N --start-at T` (I from JOB_COMPLETION_INDEX), shard outputs on a
// shared volume or an S3-compatible bucket, and a merge Job that waits for every shard; for a plan
// cell also the ConfigMap of its files and its turn among the cells. Pure: no I/O.

import { stringify } from "yaml";
import { BenchError } from "../errors.js";
import { checkObjectName, refuseSecretsInRunArgs } from "./k8s-values.js";

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
  /** Environment variable the API key Secret becomes (the run's --api-key-env). */
  apiKeyEnv?: string;
  /** Files the shards read (a plan cell's dataset, trace): a ConfigMap mounted at FILES_MOUNT. */
  files?: Record<string, string>;
  /** Plan cells take turns (plan-manifest.ts). */
  turn?: CellTurn;
}

/** A plan cell's place in the sequence: it starts when the previous cell's shards are done, and says when it is. */
export interface CellTurn {
  /** Directory on the shared volume where cells meet. */
  dir: string;
  /** Barrier this cell's shards mark when their run ends (absent for the last cell). */
  doneName?: string;
  /** The previous cell's barrier: its instant replaces a fixed --start-at. */
  after?: { name: string; label: string; timeoutMs: number; marginMs: number; giveUpAtEpochMs: number };
}

export const FILES_MOUNT = "/plan-files";

/** Where the shared volume is mounted in the pods. */
export const RESULTS = "/results";

/** Quotes a word for /bin/sh. */
export function shQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Parses --storage: `pvc:CLAIM` or `s3://bucket/prefix`. */
export function parseStorage(value: string, s3: { endpoint?: string; region?: string; secret?: string }): Storage {
  if (value.startsWith("pvc:") && value.length > 4) return { kind: "pvc", claim: checkObjectName(value.slice(4), "--storage pvc:CLAIM") };
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(value);
  if (m) {
    if (s3.secret === undefined)
      throw new BenchError("E_BAD_FLAG", "--storage s3://...: pass --s3-secret NAME (a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)", {
        where: "--s3-secret",
      });
    checkObjectName(s3.secret, "--s3-secret");
    if (!/^[a-z0-9][a-z0-9.-]{0,62}$/.test(m[1] ?? ""))
      throw new BenchError("E_BAD_FLAG", `--storage: "${m[1] ?? ""}" is not an S3 bucket name`, { where: "--storage" });
    if (/[\s"'\\$`]/.test(m[2] ?? ""))
      throw new BenchError("E_BAD_FLAG", "--storage: the S3 prefix must not contain spaces, quotes, $, ` or \\", { where: "--storage" });
    const storage: Storage = {
      kind: "s3",
      bucket: m[1] as string,
      prefix: (m[2] ?? "").replace(/\/+$/, ""),
      region: s3.region ?? "us-east-1",
      secret: s3.secret,
    };
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
  const startAt = o.turn?.after === undefined ? String(o.startAtEpochMs) : `"$T"`;
  const quoted = [...words, "--shard", `"$JOB_COMPLETION_INDEX/${o.shards}"`, "--start-at", startAt, "--quiet"];
  if (o.storage.kind === "pvc") {
    // The shared volume doubles as the level barrier: every level starts on all shards at once.
    const run = `${quoted.join(" ")} --barrier-dir ${RESULTS}/${o.name}/barrier --out ${RESULTS}/${o.name}/shard-"$JOB_COMPLETION_INDEX"`;
    if (o.turn === undefined) return `set -u\nexec ${run}\n`;
    return turnScript(o.turn, o.shards, run);
  }
  const dest = `s3://${o.storage.bucket}/${joinKey(o.storage.prefix, o.name)}/shard-"$JOB_COMPLETION_INDEX"`;
  return `set -u\n${quoted.join(" ")} --out /tmp/shard; rc=$?\nservebench k8s push /tmp/shard ${dest} || rc=1\nexit $rc\n`;
}

/** A plan cell's shard: wait for the previous cell's shards, run, then tell the next cell (whatever the run's exit code). */
function turnScript(turn: CellTurn, shards: number, run: string): string {
  const lines = ["set -u"];
  const after = turn.after;
  if (after !== undefined) {
    lines.push(
      `echo "servebench: waiting for ${after.label} to finish" >&2`,
      `T=$(servebench k8s barrier wait ${turn.dir} ${after.name} --shards ${shards} --timeout ${after.timeoutMs}ms --margin ${after.marginMs}ms --give-up-at ${after.giveUpAtEpochMs}) || exit 1`,
    );
  }
  lines.push(`${run}; rc=$?`);
  if (turn.doneName !== undefined) lines.push(`servebench k8s barrier arrive ${turn.dir} ${turn.doneName} --shard "$JOB_COMPLETION_INDEX/${shards}" || true`);
  lines.push("exit $rc", "");
  return lines.join("\n");
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
  if (o.apiKeySecret !== undefined && shard)
    env.push({ name: o.apiKeyEnv ?? "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: o.apiKeySecret, key: "api-key" } } });
  const container: Record<string, unknown> = {
    name: shard ? "shard" : "merge",
    image: o.image,
    command: ["/bin/sh", "-c", script],
    resources: shard
      ? { requests: { cpu: o.cpu, memory: o.memory }, limits: { cpu: o.cpu, memory: o.memory } }
      : { requests: { cpu: "1", memory: o.memory }, limits: { memory: o.memory } },
  };
  const volumes: Array<Record<string, unknown>> = [];
  const mounts: Array<Record<string, unknown>> = [];
  if (shard && o.files !== undefined && Object.keys(o.files).length > 0) {
    mounts.push({ name: "plan-files", mountPath: FILES_MOUNT, readOnly: true });
    volumes.push({ name: "plan-files", configMap: { name: filesConfigMapName(o) } });
  }
  if (o.storage.kind === "pvc") {
    mounts.push({ name: "results", mountPath: RESULTS });
    volumes.push({ name: "results", persistentVolumeClaim: { claimName: o.storage.claim } });
  } else {
    container["envFrom"] = [{ secretRef: { name: o.storage.secret } }];
    env.push({ name: "AWS_REGION", value: o.storage.region });
    if (o.storage.endpoint !== undefined) env.push({ name: "SERVEBENCH_S3_ENDPOINT", value: o.storage.endpoint });
  }
  if (mounts.length > 0) container["volumeMounts"] = mounts;
  if (env.length > 0) container["env"] = env;
  const spec: Record<string, unknown> = { restartPolicy: "Never", containers: [container] };
  if (volumes.length > 0) spec["volumes"] = volumes;
  return spec;
}

function labels(o: RenderOptions, role: string): Record<string, string> {
  return { "app.kubernetes.io/name": "servebench", "app.kubernetes.io/instance": o.name, "servebench.dev/role": role };
}

function filesConfigMapName(o: RenderOptions): string {
  return `${o.name}-files`;
}

/** The manifest objects, in apply order. */
export function renderObjects(o: RenderOptions): Array<Record<string, unknown>> {
  refuseSecretsInRunArgs(o.runArgs, o.turn === undefined ? "run flags" : `Job ${o.name}`);
  const start =
    o.turn?.after === undefined
      ? { "servebench.dev/start-at": new Date(o.startAtEpochMs).toISOString() }
      : { "servebench.dev/start-after": o.turn.after.label };
  const meta = (name: string, role: string): Record<string, unknown> => ({
    name,
    ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
    labels: labels(o, role),
    annotations: start,
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
  const objects: Array<Record<string, unknown>> = [];
  if (o.files !== undefined && Object.keys(o.files).length > 0) {
    objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: meta(filesConfigMapName(o), "files"), data: o.files });
  }
  objects.push(shardJob);
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
  return (
    header +
    renderObjects(o)
      .map((obj) => stringify(obj, { lineWidth: 0 }))
      .join("---\n")
  );
}
