// Owns turning a plan's cells into what their Kubernetes Jobs run: each cell's `servebench run`
// flags (its server's URL, its workload and load), the local files it reads packed as ConfigMap
// data, and its Job name. Refuses, naming the plan file and the server or cell, what pods cannot
// run: servers servebench would start itself, local tokenizer directories, files too large.

import { existsSync, readFileSync } from "node:fs";
import { basename, extname, isAbsolute, resolve } from "node:path";
import { parseLengthDist, type LengthDist } from "../config/length-dist.js";
import { runArgsFromConfig } from "../config/run-argv.js";
import { type RunConfigInput } from "../config/run-config.js";
import { resolveRunConfig } from "../config/resolve-run-config.js";
import { BenchError } from "../errors.js";
import type { PlannedCell } from "../plan/cell-config.js";
import { promptVariant } from "../plan/cell-files.js";
import type { LoadedPlan } from "../plan/load-plan.js";
import { FILES_MOUNT, RESULTS } from "./manifest.js";

/** A ConfigMap holds at most 1 MiB; the rest is room for its metadata. */
const MAX_FILES_BYTES = 900 * 1024;
/** Job names stay DNS labels short enough for `-merge` and the pods' suffixes (as checkName). */
const MAX_NAME = 42;
/** Set by the rendered Jobs for every shard; a plan cannot set them. */
const PER_SHARD_FIELDS = ["shard", "startAtEpochMs", "barrierDir"] as const;

export interface CellDeployment {
  cell: PlannedCell;
  jobName: string;
  runArgs: string[];
  /** ConfigMap data (file name → text), mounted at FILES_MOUNT. */
  files: Record<string, string>;
  /** The plan's cellTimeoutMs, which becomes the cell's deadline. */
  cellTimeoutMs?: number;
  /** From the cell's configuration: how long the next cell waits for this one's shards, and its margin. */
  barrierTimeoutMs: number;
  barrierMarginMs: number;
  apiKeyEnv: string;
}

/** `<name>-<index>-<cell id as a DNS label>`, cut to fit; the index keeps names unique. */
export function cellJobName(name: string, index: number, id: string): string {
  const prefix = `${name}-${index}`;
  if (prefix.length > MAX_NAME)
    throw new BenchError("E_BAD_FLAG", `--name: "${name}" leaves no room for the cell index (${prefix} is over ${MAX_NAME} characters)`, { where: "--name" });
  const slug = id
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const room = MAX_NAME - prefix.length - 1;
  const cut = slug.slice(0, Math.max(0, room)).replace(/-+$/, "");
  return cut === "" ? prefix : `${prefix}-${cut}`;
}

export function planDeployments(plan: LoadedPlan, name: string): { cells: CellDeployment[]; warnings: string[] } {
  checkServers(plan);
  const warnings: string[] = [];
  const reset = new Set(plan.cells.flatMap((c) => (c.server.kind === "existing" && c.server.reset !== undefined ? [c.serverName] : [])));
  for (const server of reset) warnings.push(`server "${server}": its reset request is not sent between cells by the rendered Jobs`);
  const cells = plan.cells.map((cell) => deployment(plan, cell, name));
  return { cells, warnings };
}

/** Only servers that already run (kind existing) can be benchmarked from the Jobs; name every other one. */
function checkServers(plan: LoadedPlan): void {
  const problems = new Map<string, string>();
  for (const cell of plan.cells) {
    const kind = cell.server.kind;
    if (kind === "local") {
      problems.set(cell.serverName, `server "${cell.serverName}" (kind local) is started by servebench on this machine, which the Kubernetes Jobs cannot do`);
    } else if (kind === "kubernetes") {
      problems.set(
        cell.serverName,
        `server "${cell.serverName}" (kind kubernetes) is deployed for each cell by \`servebench plan run\`; the rendered Jobs do not deploy servers`,
      );
    }
  }
  if (problems.size === 0) return;
  const names = [...problems.keys()];
  throw new BenchError(
    "E_BAD_CONFIG",
    `${plan.file}: ${[...problems.values()].join("; ")}. Benchmark a server that is already running: kind existing with a url the pods reach (e.g. http://vllm.bench.svc:8000), or use \`servebench plan run\``,
    { where: `${plan.file}: servers.${names[0] ?? ""}` },
  );
}

function deployment(plan: LoadedPlan, cell: PlannedCell, name: string): CellDeployment {
  const where = `${plan.file}: cell ${cell.id}`;
  const bad = (message: string): BenchError => new BenchError("E_BAD_CONFIG", `${where}: ${message}`, { where });
  for (const field of PER_SHARD_FIELDS) {
    if (cell.run[field] !== undefined) throw bad(`${field} is set by the rendered Jobs for each shard; remove it from the plan`);
  }
  if (cell.server.kind !== "existing") throw bad("only servers of kind existing can be rendered");
  const files = new Files(bad);
  const variant = promptVariant(cell);
  const run: RunConfigInput = { ...(variant?.run ?? cell.run), url: cell.server.url, waitReadyMs: cell.server.readyTimeoutMs };
  if (variant !== undefined) run.dataset = files.addText("prompts.jsonl", variant.jsonl);
  else if (run.dataset !== undefined) run.dataset = files.addFile("dataset", run.dataset);
  if (run.trace !== undefined) run.trace = files.addFile("trace", resolve(run.trace));
  if (run.inputDist !== undefined) run.inputDist = files.addDist("input-dist", run.inputDist);
  if (run.outputDist !== undefined) run.outputDist = files.addDist("output-dist", run.outputDist);
  const tokenizer = run.tokenizer;
  if (tokenizer !== undefined && (isAbsolute(tokenizer) || existsSync(tokenizer))) {
    throw bad(
      `tokenizer "${tokenizer}" is a path on this machine, which the pods cannot read: use a Hugging Face id present in the image's cache, or the bundled default`,
    );
  }
  const resolved = resolveRunConfig(run);
  const out: CellDeployment = {
    cell,
    jobName: cellJobName(name, cell.index, cell.id),
    runArgs: runArgsFromConfig(run),
    files: files.data,
    barrierTimeoutMs: resolved.barrierTimeoutMs,
    barrierMarginMs: resolved.barrierMarginMs,
    apiKeyEnv: resolved.apiKeyEnv,
  };
  if (cell.cellTimeoutMs !== undefined) out.cellTimeoutMs = cell.cellTimeoutMs;
  return out;
}

/** The local files a cell reads, as ConfigMap entries; each returns the path the pods see. */
class Files {
  readonly data: Record<string, string> = {};
  private bytes = 0;

  constructor(private readonly bad: (message: string) => BenchError) {}

  addText(key: string, text: string): string {
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > MAX_FILES_BYTES)
      throw this.bad(
        `its files come to ${this.bytes} bytes, more than a ConfigMap holds (${MAX_FILES_BYTES}): copy them to the shared volume and give their path under ${RESULTS}/ in the plan`,
      );
    this.data[key] = text;
    return `${FILES_MOUNT}/${key}`;
  }

  /** Keeps the extension: the run detects dataset and trace formats by it. A path on the shared volume is left as it is. */
  addFile(stem: string, path: string): string {
    if (path.startsWith(`${RESULTS}/`)) return path;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      throw this.bad(`cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`);
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw this.bad(`${basename(path)} is not UTF-8 text, which a ConfigMap cannot carry`);
    }
    const ext = extname(path)
      .toLowerCase()
      .replace(/[^.a-z0-9]/g, "");
    return this.addText(`${stem}${ext}`, text);
  }

  addDist(stem: string, dist: LengthDist | string): LengthDist | string {
    const parsed = typeof dist === "string" ? parseLengthDist(dist, stem) : dist;
    if (parsed.kind !== "histogram") return dist;
    return { ...parsed, file: this.addFile(stem, resolve(parsed.file)) };
  }
}
