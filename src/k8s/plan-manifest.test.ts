// `k8s render --plan`: one Indexed Job (with its files ConfigMap and merge Job) per plan cell,
// valid against the Kubernetes schema, named per cell, taking turns through the shared volume;
// servers the Jobs cannot start are refused with the plan file and server named.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Job } from "kubernetes-models/batch/v1/Job";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadPlanText } from "../plan/load-plan.js";
import { cellJobName } from "./plan-cells.js";
import { parseStorage } from "./manifest.js";
import { renderPlanManifest, type PlanRenderOptions } from "./plan-manifest.js";

const dir = mkdtempSync(join(tmpdir(), "sb-k8s-plan-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "prompts.csv"), "prompt,output_tokens\nhello there,8\nhow are you,4\n");

const PLAN = `name: k8s-demo
servers:
  vllm: { kind: existing, url: "http://vllm.bench.svc:8000", reset: { path: /reset_prefix_cache } }
workloads:
  brief: { prompt: "Explain paging.", system: "Answer in one sentence.", endpoint: chat, outputTokens: 32 }
  csv: { dataset: prompts.csv, outputTokens: 16, slo: "ttft_ms<=500" }
loads:
  sweep: { concurrency: [1, 4], requests: 8, warmup: 1 }
cellTimeoutMs: 30m
`;

const options: PlanRenderOptions = {
  name: "demo",
  namespace: "bench",
  shards: 2,
  image: "ghcr.io/servebench/servebench:0.1.0",
  startAtEpochMs: Date.UTC(2026, 10, 22, 12, 0, 0),
  storage: { kind: "pvc", claim: "servebench-results" },
  cpu: "2",
  memory: "2Gi",
  apiKeySecret: "openai-key",
  mergeJob: true,
  deadlineS: 3600,
};

function plan(text: string) {
  return loadPlanText(text, { file: join(dir, "plan.yaml"), planDir: dir, runsHere: false });
}

function docs(yaml: string): Array<Record<string, any>> {
  return parseAllDocuments(yaml).map((d) => d.toJSON() as Record<string, any>);
}

const script = (job: Record<string, any> | undefined): string => job?.spec.template.spec.containers[0].command[2] as string;

describe("renderPlanManifest", () => {
  it("renders a ConfigMap, an Indexed Job and a merge Job per cell, all valid Kubernetes objects", () => {
    const rendered = renderPlanManifest(plan(PLAN), options);
    const all = docs(rendered.yaml);
    expect(all.map((d) => `${d["kind"]}/${d["metadata"].name}`)).toEqual([
      "ConfigMap/demo-0-brief-files",
      "Job/demo-0-brief",
      "Job/demo-0-brief-merge",
      "ConfigMap/demo-1-csv-files",
      "Job/demo-1-csv",
      "Job/demo-1-csv-merge",
    ]);
    for (const d of all) {
      if (d["kind"] === "Job") expect(() => new Job(d as any).validate()).not.toThrow();
      else expect(() => new ConfigMap(d as any).validate()).not.toThrow();
      expect(d["metadata"].name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(rendered.jobs).toEqual(["demo-0-brief", "demo-1-csv"]);
    expect(rendered.warnings).toEqual(['server "vllm": its reset request is not sent between cells by the rendered Jobs']);
    expect(rendered.yaml).toMatch(/^# note: server "vllm"/m);
  });

  it("gives each cell its run flags and files, and makes the cells take turns", () => {
    const [files0, shards0, merge0, files1, shards1, merge1] = docs(renderPlanManifest(plan(PLAN), options).yaml);
    // The system-prompt variant travels as the rewritten prompts; the CSV as itself (its extension kept).
    expect(files0?.["data"]["prompts.jsonl"]).toContain("Answer in one sentence.");
    expect(files1?.["data"]).toEqual({ "dataset.csv": "prompt,output_tokens\nhello there,8\nhow are you,4\n" });
    const s0 = script(shards0);
    const s1 = script(shards1);
    expect(s0).toContain(
      "servebench run --url http://vllm.bench.svc:8000 --endpoint chat --wait-ready 30000ms --output-tokens 32 --dataset /plan-files/prompts.jsonl --concurrency 1,4 --requests 8 --warmup 1 " +
        `--shard "$JOB_COMPLETION_INDEX/2" --start-at ${options.startAtEpochMs} --quiet --barrier-dir /results/demo-0-brief/barrier --out /results/demo-0-brief/shard-"$JOB_COMPLETION_INDEX"; rc=$?`,
    );
    expect(s0).toMatch(/servebench k8s barrier arrive \/results\/demo\/turns-\d+ cell-0\.done --shard "\$JOB_COMPLETION_INDEX\/2" \|\| true\nexit \$rc/);
    expect(s1).toMatch(
      /^T=\$\(servebench k8s barrier wait \/results\/demo\/turns-\d+ cell-0\.done --shards 2 --timeout 600000ms --margin 1000ms --give-up-at \d+\) \|\| exit 1$/m,
    );
    expect(s1).toContain(`--slo 'ttft_ms<=500'`);
    expect(s1).toContain(`--start-at "$T"`);
    expect(s1).not.toContain("barrier arrive");
    expect(shards1?.["metadata"].annotations).toEqual({ "servebench.dev/start-after": "cell 0 (brief)" });
    // cellTimeoutMs is each cell's deadline; the second one's also covers waiting for the first.
    expect([shards0?.["spec"].activeDeadlineSeconds, shards1?.["spec"].activeDeadlineSeconds]).toEqual([1800, 3600]);
    expect(script(merge1)).toContain("servebench merge --wait 3600s --out /results/demo-1-csv/merged /results/demo-1-csv/shard-0 /results/demo-1-csv/shard-1");
    expect(merge0?.["spec"].template.spec.volumes).toEqual([{ name: "results", persistentVolumeClaim: { claimName: "servebench-results" } }]);
    expect(shards0?.["spec"].template.spec.volumes).toContainEqual({ name: "plan-files", configMap: { name: "demo-0-brief-files" } });
    expect(files1?.["metadata"].namespace).toBe("bench");
  });

  it("refuses servers the Jobs cannot start, naming the plan file and the server", () => {
    const local = PLAN.replace(/vllm: \{ kind: existing[^\n]*/, 'vllm: { kind: local, command: ["vllm", "serve", "--port", "${port}"] }');
    expect(() => renderPlanManifest(plan(local), options)).toThrow(
      expect.objectContaining({
        code: "E_BAD_CONFIG",
        message: expect.stringMatching(/plan\.yaml: server "vllm" \(kind local\) is started by servebench on this machine.*kind existing/),
      }),
    );
    const k8s = PLAN.replace(/vllm: \{ kind: existing[^\n]*/, "vllm: { kind: kubernetes, manifest: prompts.csv, url: http://x:8000 }");
    expect(() => renderPlanManifest(plan(k8s), options)).toThrow(/server "vllm" \(kind kubernetes\) is deployed for each cell/);
  });

  it("refuses what the pods cannot read or do", () => {
    expect(() => renderPlanManifest(plan(PLAN), { ...options, storage: parseStorage("s3://b/p", { secret: "s" }) })).toThrow(
      /take turns through files on a shared volume: use --storage pvc/,
    );
    const tokenizer = PLAN.replace("outputTokens: 16,", `outputTokens: 16, tokenizer: ${dir},`);
    expect(() => renderPlanManifest(plan(tokenizer), options)).toThrow(/cell csv: tokenizer ".*" is a path on this machine/);
    const sharded = PLAN.replace("outputTokens: 16,", "outputTokens: 16, shard: { index: 0, count: 2 },");
    expect(() => renderPlanManifest(plan(sharded), options)).toThrow(/cell csv: shard is set by the rendered Jobs for each shard/);
  });

  it("one cell renders without turns, also to a bucket", () => {
    const one = `${PLAN}matrix:\n  include: [{ workload: csv }]\n  exclude: [{ workload: brief }]\n`;
    const yaml = renderPlanManifest(plan(one), { ...options, storage: parseStorage("s3://b/p", { secret: "s" }) }).yaml;
    const [, shards] = docs(yaml);
    expect(script(shards)).not.toContain("barrier arrive");
    expect(script(shards)).toContain("servebench k8s push /tmp/shard s3://b/p/demo-0-vllm/shard-");
  });
});

describe("cellJobName", () => {
  it("is a DNS label of at most 42 characters, unique by index", () => {
    expect(cellJobName("bench", 3, "H100x2_TP.fp8__r2")).toBe("bench-3-h100x2-tp-fp8-r2");
    const long = cellJobName("servebench", 12, "meta-llama-Llama-3.2-3B-Instruct_8192_tp_c10");
    expect(long.length).toBeLessThanOrEqual(42);
    expect(long).toBe("servebench-12-meta-llama-llama-3-2-3b-inst");
    expect(cellJobName("b", 0, "___")).toBe("b-0");
    expect(() => cellJobName("x".repeat(41), 10, "a")).toThrow(/--name/);
  });
});
