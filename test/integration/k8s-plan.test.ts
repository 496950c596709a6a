// `k8s render --plan` end to end without a cluster: the rendered pods' scripts run as local
// processes (JOB_COMPLETION_INDEX set, /results and /plan-files mapped to temporary directories,
// `servebench` the built CLI) against the simulator. The cells take turns, every shard of a cell
// starts together, and each cell's merge Job merges its shards. A plan whose server servebench
// would have to start is refused with exit 2.

import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { RequestRecord } from "../../src/client/record.js";
import type { RunSummary } from "../../src/results/run-summary.js";
import type { ShardInfo } from "../../src/scale/shard-file.js";
import { startSimulator } from "../../src/sim/index.js";
import { CLI, runCli } from "../helpers/cli.js";
import { parseRecordLine } from "../../src/results/request-record.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-k8s-plan-"));
let sim: Awaited<ReturnType<typeof startSimulator>>;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, ttftMs: 0, perTokenMs: 5 });
});
afterAll(async () => {
  await sim.close();
  rmSync(tmp, { recursive: true, force: true });
});

function runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", script], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** Epoch ms of a shard's first scheduled send and last end (records are relative to its start instant). */
function span(dir: string): { first: number; last: number } {
  const start = readJson<ShardInfo>(join(dir, "shard.json")).start_at_epoch_ms;
  const recs = readFileSync(join(dir, "requests.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => parseRecordLine(l) as unknown as RequestRecord);
  return { first: start + Math.min(...recs.map((r) => r.scheduledMs)), last: start + Math.max(...recs.map((r) => r.endMs)) };
}

describe("k8s render --plan", () => {
  it("renders Jobs whose pods run the cells in turn and whose merge Jobs merge them", async () => {
    const plan = join(tmp, "plan.yaml");
    writeFileSync(
      plan,
      `name: turns\nservers:\n  sim: { kind: existing, url: "${sim.url}", health: false }\n` +
        `workloads:\n  w: { prompt: "Tell me about caches.", system: "Be brief.", outputTokens: 8, clientTokenCheck: false, metrics: false }\n` +
        `loads:\n  l: { concurrency: [1, 2], requests: 4 }\nmatrix:\n  repeat: 2\n`,
    );
    const manifest = join(tmp, "manifest.yaml");
    const rendered = await runCli([
      "k8s",
      "render",
      "--plan",
      plan,
      "--shards",
      "2",
      "--name",
      "turns",
      "--start-at",
      String(Date.now() + 4000),
      "--out",
      manifest,
    ]);
    expect(rendered.stderr).toMatch(/2 cells: turns-0-sim-r1, turns-1-sim-r2/);
    expect(rendered.code).toBe(0);

    const results = join(tmp, "results");
    const files = join(tmp, "plan-files");
    const bin = join(tmp, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "servebench"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, "servebench"), 0o755);
    const local = (text: string): string => text.replaceAll("/results", results).replaceAll("/plan-files", files);
    const docs = parseAllDocuments(readFileSync(manifest, "utf8")).map((d) => d.toJSON() as Record<string, any>);
    const jobs = docs.filter((d) => d["kind"] === "Job");
    const shardJobs = jobs.filter((j) => j["metadata"].labels["servebench.dev/role"] === "shard");
    const mergeJobs = jobs.filter((j) => j["metadata"].labels["servebench.dev/role"] === "merge");
    const configMaps = docs.filter((d) => d["kind"] === "ConfigMap");
    expect(shardJobs).toHaveLength(2);
    // Every pod of a cell sees its cell's ConfigMap at one path (the shards' configurations must match).
    const env = { PATH: `${bin}:${process.env["PATH"] ?? ""}` };
    const pods = shardJobs.flatMap((job, k) => {
      const cellFiles = `${files}-${k}`;
      mkdirSync(cellFiles, { recursive: true });
      for (const [name, text] of Object.entries(configMaps[k]?.["data"] as Record<string, string>)) writeFileSync(join(cellFiles, name), text);
      const script = local(job["spec"].template.spec.containers[0].command[2] as string).replaceAll(files, cellFiles);
      return [0, 1].map((index) => runScript(script, { ...env, JOB_COMPLETION_INDEX: String(index) }));
    });
    const exits = await Promise.all(pods);
    for (const e of exits) expect(e.stderr).not.toMatch(/internal error/);
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0]);
    for (const job of mergeJobs) expect((await runScript(local(job["spec"].template.spec.containers[0].command[2] as string), env)).code).toBe(0);

    const cellDirs = ["turns-0-sim-r1", "turns-1-sim-r2"].map((name) => join(results, name));
    const spans = cellDirs.map((dir) => [0, 1].map((i) => span(join(dir, `shard-${i}`))));
    // Cell 1 sent nothing before every shard of cell 0 had finished.
    const cell0End = Math.max(...(spans[0] ?? []).map((s) => s.last));
    expect(Math.min(...(spans[1] ?? []).map((s) => s.first))).toBeGreaterThanOrEqual(cell0End);
    const cell1Starts = [0, 1].map((i) => readJson<ShardInfo>(join(cellDirs[1] as string, `shard-${i}`, "shard.json")).start_at_epoch_ms);
    expect(cell1Starts[0]).toBe(cell1Starts[1]);
    for (const dir of cellDirs) {
      const merged = readJson<RunSummary>(join(dir, "merged", "summary.json"));
      expect(merged.levels.map((l) => l.requests.completed)).toEqual([4, 4]);
      expect(merged.run.scale?.merged?.levels.map((l) => l.aligned_by)).toEqual(["barrier", "barrier"]);
    }
  });

  it("refuses a plan whose server servebench would start, naming the file and the server (exit 2)", async () => {
    const plan = join(tmp, "local.yaml");
    writeFileSync(plan, `servers:\n  vllm: { kind: local, command: ["vllm", "serve", "--port", "\${port}"] }\nloads:\n  l: { concurrency: [1] }\n`);
    const r = await runCli(["k8s", "render", "--plan", plan, "--shards", "2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${plan}: server "vllm" (kind local) is started by servebench on this machine`);
  });
});
