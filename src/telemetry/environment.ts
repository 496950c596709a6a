// Owns env.json: the facts a reader needs to trust or reproduce a run (machine, versions, the
// resolved config, the target's model and version, GPUs). Nothing here may fail a run: an
// unanswered endpoint or a missing tool is recorded as absent.

import { execFile } from "node:child_process";
import { readFile, realpath } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { probeRequest } from "../client/probe-request.js";
import { captureGpuInfo, type GpuInfo } from "./gpu-info.js";

export interface TargetModel {
  id: string;
  /** vLLM/SGLang `max_model_len`, llama.cpp `meta.n_ctx`; null when the server does not say. */
  max_model_len: number | null;
}

export interface TargetInfo {
  base_url: string;
  /**
   * The server's identity as it states it: GET /version (vLLM, SGLang), else llama.cpp's GET
   * /props `{ build_info, model_path, total_slots }`, else TGI's GET /info `{ version, sha,
   * model_id }`; null when none answers.
   */
  version: unknown;
  version_error?: string;
  /** One line: "0.11.0" (GET /version), "llama.cpp b10587-3f545becc", "tgi 3.3.6"; null when unknown. */
  server_version: string | null;
  models: TargetModel[] | null;
  models_error?: string;
}

/** Version of env.json's shape. */
export const ENV_SCHEMA = "servebench.env/v1";

/** Exactly what env.json holds. */
export type EnvRecord = {
  schema: typeof ENV_SCHEMA;
  /** ISO 8601 with the local offset, e.g. 2025-12-18T01:19:29.120+08:00. */
  started_at: string;
  hostname: string;
  os: { platform: string; type: string; release: string; version: string; arch: string };
  cpu: { model: string | null; count: number };
  memory_total_bytes: number;
  node_version: string;
  servebench_version: string | null;
  /** HEAD of the servebench checkout; absent when not run from one. */
  git_commit?: string;
  config: unknown;
  server_cmd?: string;
  target?: TargetInfo;
  gpu: GpuInfo;
};

export interface CaptureEnvironmentOptions {
  /** The resolved config; secrets should already be redacted, we redact again defensively. */
  config: unknown;
  baseUrl?: string;
  serverCmd?: string;
  gpuInfoCmd?: string;
  headers?: Record<string, string>;
  startedAt?: Date;
  /** Per HTTP call and per tool. Default 3000. */
  timeoutMs?: number;
}

/**
 * @example await writeFile("env.json", JSON.stringify(await captureEnvironment({ config, baseUrl }), null, 2));
 */
export async function captureEnvironment(options: CaptureEnvironmentOptions): Promise<EnvRecord> {
  const timeoutMs = Math.ceil(options.timeoutMs ?? 3000);
  const pkgDir = await findPackageDir();
  const [version, commit, target, gpu] = await Promise.all([
    pkgDir === null ? null : readVersion(pkgDir),
    pkgDir === null ? undefined : gitCommit(pkgDir, timeoutMs),
    options.baseUrl === undefined ? undefined : fetchTarget(options.baseUrl, timeoutMs, options.headers),
    captureGpuInfo({ timeoutMs, ...(options.gpuInfoCmd === undefined ? {} : { gpuInfoCmd: options.gpuInfoCmd }) }),
  ]);
  const cpus = os.cpus();
  const record: EnvRecord = {
    schema: ENV_SCHEMA,
    started_at: isoWithOffset(options.startedAt ?? new Date()),
    hostname: os.hostname(),
    os: { platform: process.platform, type: os.type(), release: os.release(), version: os.version(), arch: os.arch() },
    cpu: { model: cpus[0]?.model.trim() ?? null, count: cpus.length > 0 ? cpus.length : os.availableParallelism() },
    memory_total_bytes: os.totalmem(),
    node_version: process.version,
    servebench_version: version,
    config: redactSecrets(options.config),
    gpu,
  };
  if (commit !== undefined) record.git_commit = commit;
  if (options.serverCmd !== undefined) record.server_cmd = options.serverCmd;
  if (target !== undefined) record.target = target;
  return record;
}

/** `2025-12-18T01:19:29.120+08:00`: local wall time and its UTC offset, not `Z`. */
export function isoWithOffset(date: Date): string {
  const pad = (n: number, w = 2): string => String(Math.trunc(Math.abs(n))).padStart(w, "0");
  const offsetMin = -date.getTimezoneOffset();
  const sign = offsetMin >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(offsetMin / 60)}:${pad(offsetMin % 60)}`
  );
}

const SECRET_KEY =
  /^(api_?key|authorization|proxy_?authorization|token|password|passwd|secret|cookie)$|(api_?key|_token|access_?token|auth_?token|bearer|secret|password)$/;

/**
 * Copies `value` with secret-looking keys replaced by "[redacted]": apiKey, api_key, authorization,
 * token, hfToken, clientSecret… (matched case- and dash-insensitively). `maxTokens` or `tokenizer`
 * are not secrets and are kept.
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const norm = key
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/-/g, "_")
      .toLowerCase();
    out[key] = SECRET_KEY.test(norm) && v !== undefined && v !== null ? "[redacted]" : redactSecrets(v);
  }
  return out;
}

/** The servebench package root, found upward from this module (works from src/ and dist/). */
async function findPackageDir(): Promise<string | null> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    const pkg = await readFile(path.join(dir, "package.json"), "utf8").catch(() => null);
    if (pkg !== null && (JSON.parse(pkg) as { name?: unknown }).name === "servebench") return dir;
    dir = path.dirname(dir);
  }
  return null;
}

async function readVersion(pkgDir: string): Promise<string | null> {
  const pkg = JSON.parse(await readFile(path.join(pkgDir, "package.json"), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : null;
}

/** HEAD only if the package dir is itself the top of a git work tree (not inside someone's repo). */
function gitCommit(pkgDir: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("git", ["rev-parse", "--show-toplevel", "HEAD"], { cwd: pkgDir, timeout: timeoutMs }, (error, stdout) => {
      if (error !== null) return resolve(undefined);
      const [top, head] = stdout.trim().split("\n");
      if (top === undefined || head === undefined || !/^[0-9a-f]{40,64}$/.test(head)) return resolve(undefined);
      Promise.all([realpath(top), realpath(pkgDir)])
        .then(([a, b]) => resolve(a === b ? head : undefined))
        .catch(() => resolve(undefined));
    });
  });
}

async function getJson(url: URL, timeoutMs: number, headers?: Record<string, string>): Promise<unknown> {
  // Bounded: connect and total deadline, body capped (a flooding /v1/models cannot grow memory).
  const res = await probeRequest(url, { ...(headers === undefined ? {} : { headers }), totalTimeoutMs: timeoutMs, maxBodyBytes: 4 * 1024 * 1024 });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return JSON.parse(res.body) as unknown;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.name === "TimeoutError" ? "timeout" : error.message;
  return String(error);
}

async function fetchTarget(baseUrl: string, timeoutMs: number, headers?: Record<string, string>): Promise<TargetInfo> {
  const [version, models, props, tgiInfo, sglangInfo] = await Promise.allSettled([
    getJson(new URL("/version", baseUrl), timeoutMs, headers),
    getJson(new URL("/v1/models", baseUrl), timeoutMs, headers),
    getJson(new URL("/props", baseUrl), timeoutMs, headers),
    getJson(new URL("/info", baseUrl), timeoutMs, headers),
    getJson(new URL("/get_server_info", baseUrl), timeoutMs, headers),
  ]);
  const info: TargetInfo = { base_url: baseUrl, version: null, server_version: null, models: null };
  const identity = serverIdentity(
    version.status === "fulfilled" ? version.value : undefined,
    props.status === "fulfilled" ? props.value : undefined,
    tgiInfo.status === "fulfilled" ? tgiInfo.value : undefined,
    sglangInfo.status === "fulfilled" ? sglangInfo.value : undefined,
  );
  if (identity !== undefined) {
    info.version = identity.body;
    info.server_version = identity.line;
  } else if (version.status === "rejected") info.version_error = errorText(version.reason);
  if (models.status === "fulfilled") info.models = parseModels(models.value);
  else info.models_error = errorText(models.reason);
  return info;
}

/** OpenAI list `{ data: [{ id, max_model_len? , meta?: { n_ctx } }] }`. */
export function parseModels(body: unknown): TargetModel[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return [];
  return data.flatMap((entry: unknown) => {
    const m = entry as { id?: unknown; max_model_len?: unknown; meta?: { n_ctx?: unknown } | null };
    if (typeof m.id !== "string") return [];
    const len = typeof m.max_model_len === "number" ? m.max_model_len : m.meta?.n_ctx;
    return [{ id: m.id, max_model_len: typeof len === "number" ? len : null }];
  });
}

/** Picks the server's identity from /version, llama.cpp's /props, TGI's /info or SGLang's /get_server_info (first that names one). */
export function serverIdentity(version: unknown, props: unknown, tgiInfo: unknown, sglangInfo?: unknown): { body: unknown; line: string | null } | undefined {
  const o = (v: unknown): Record<string, unknown> | undefined =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const v = o(version);
  if (v !== undefined) return { body: v, line: typeof v["version"] === "string" ? v["version"] : null };
  const p = o(props);
  if (p !== undefined && typeof p["build_info"] === "string") {
    const body: Record<string, unknown> = { build_info: p["build_info"] };
    for (const k of ["model_path", "total_slots"]) if (p[k] !== undefined) body[k] = p[k];
    return { body, line: `llama.cpp ${p["build_info"]}` };
  }
  const t = o(tgiInfo);
  if (t !== undefined && typeof t["version"] === "string") {
    const body: Record<string, unknown> = { version: t["version"] };
    for (const k of ["sha", "model_id", "router"]) if (t[k] !== undefined) body[k] = t[k];
    return { body, line: `tgi ${t["version"]}` };
  }
  const s = o(sglangInfo);
  if (s !== undefined && typeof s["version"] === "string") return { body: { version: s["version"] }, line: `sglang ${s["version"]}` };
  return undefined;
}
