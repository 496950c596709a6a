// Owns shard outputs in an S3-compatible bucket (AWS S3, MinIO, GCS interop, R2): pushing a
// flat directory, pulling shard directories, waiting for shards to appear. Requests are signed
// with SigV4 by aws4fetch and sent with Node's fetch; credentials come from the environment.

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AwsClient } from "aws4fetch";
import { BenchError } from "../errors.js";

/** Files a run or shard directory may hold; pulled by name, so no bucket listing is needed. */
export const RUN_FILES = [
  "shard.json",
  "config.json",
  "env.json",
  "requests.jsonl",
  "metrics.jsonl",
  "summary.json",
  "summary.csv",
  "summary.md",
  "series.csv",
] as const;

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new BenchError("E_BAD_FLAG", `expected s3://bucket/prefix, got "${url}"`);
  return { bucket: m[1] as string, key: (m[2] ?? "").replace(/\/+$/, "") };
}

export interface S3StoreOptions {
  /** Path-style endpoint (MinIO, R2, ...); absent = AWS virtual-hosted URLs. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function s3OptionsFromEnv(env: Record<string, string | undefined>, endpoint?: string): S3StoreOptions {
  const accessKeyId = env["AWS_ACCESS_KEY_ID"];
  const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
  if (!accessKeyId || !secretAccessKey)
    throw new BenchError("E_BAD_CONFIG", "S3 storage needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment", { where: "AWS_ACCESS_KEY_ID" });
  const options: S3StoreOptions = { region: env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "us-east-1", accessKeyId, secretAccessKey };
  const ep = endpoint ?? env["SERVEBENCH_S3_ENDPOINT"];
  if (ep) options.endpoint = ep;
  if (env["AWS_SESSION_TOKEN"]) options.sessionToken = env["AWS_SESSION_TOKEN"];
  return options;
}

export class S3Store {
  readonly #client: AwsClient;
  readonly #options: S3StoreOptions;

  constructor(options: S3StoreOptions) {
    this.#options = options;
    this.#client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      region: options.region,
      service: "s3",
      ...(options.sessionToken === undefined ? {} : { sessionToken: options.sessionToken }),
    });
  }

  url(bucket: string, key: string): string {
    const path = key.split("/").map(encodeURIComponent).join("/");
    const ep = this.#options.endpoint;
    return ep === undefined ? `https://${bucket}.s3.${this.#options.region}.amazonaws.com/${path}` : `${ep.replace(/\/+$/, "")}/${bucket}/${path}`;
  }

  async put(bucket: string, key: string, body: Uint8Array): Promise<void> {
    const res = await this.#client.fetch(this.url(bucket, key), { method: "PUT", body });
    if (!res.ok) throw new BenchError("E_IO", `S3 PUT s3://${bucket}/${key}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  }

  /** The object's bytes, or undefined when it does not exist. */
  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    const res = await this.#client.fetch(this.url(bucket, key), { method: "GET" });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new BenchError("E_IO", `S3 GET s3://${bucket}/${key}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}

/** Uploads every file of a flat directory under s3://bucket/prefix/. */
export async function pushDir(store: S3Store, dir: string, url: string): Promise<number> {
  const { bucket, key } = parseS3Url(url);
  let n = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    await store.put(bucket, `${key}/${name}`, readFileSync(path));
    n++;
  }
  return n;
}

/** Downloads one run or shard directory; false when its summary.json is not there. */
export async function pullDir(store: S3Store, url: string, dir: string): Promise<boolean> {
  const { bucket, key } = parseS3Url(url);
  mkdirSync(dir, { recursive: true });
  let found = false;
  for (const name of RUN_FILES) {
    const body = await store.get(bucket, `${key}/${name}`);
    if (body === undefined) continue;
    writeFileSync(join(dir, name), body);
    if (name === "summary.json") found = true;
  }
  return found;
}

/**
 * Pulls shard-0 .. shard-(N-1) of a run into `toDir`, waiting up to `waitMs` for each shard's
 * shard.json (written last by a finished shard). Missing shards are left for merge to name.
 */
export async function pullShards(
  store: S3Store,
  url: string,
  shards: number,
  toDir: string,
  waitMs: number,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<string[]> {
  const { bucket, key } = parseS3Url(url);
  const deadline = Date.now() + waitMs;
  const dirs: string[] = [];
  for (let i = 0; i < shards; i++) {
    const prefix = `${key}/shard-${i}`;
    while ((await store.get(bucket, `${prefix}/shard.json`)) === undefined && Date.now() < deadline) await sleep(5000);
    const dir = join(toDir, `shard-${i}`);
    await pullDir(store, `s3://${bucket}/${prefix}`, dir);
    dirs.push(dir);
  }
  return dirs;
}
