// Rendered manifests validate against the Kubernetes OpenAPI schema (kubernetes-models' ajv
// validators), and carry the Indexed Job shape, the shard command and the storage wiring.

import { readFileSync } from "node:fs";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseStorage, renderManifest, shQuote, type RenderOptions } from "./manifest.js";

const base: RenderOptions = {
  name: "qwen-sweep",
  namespace: "bench",
  shards: 4,
  image: "ghcr.io/servebench/servebench:0.1.0",
  runArgs: ["--url", "http://vllm.bench.svc:8000", "--concurrency", "256", "--requests", "4000", "--slo", "ttft_ms<=500"],
  startAtEpochMs: Date.UTC(2026, 10, 22, 12, 0, 0),
  storage: { kind: "pvc", claim: "servebench-results" },
  cpu: "2",
  memory: "2Gi",
  apiKeySecret: "openai-key",
  mergeJob: true,
  deadlineS: 3600,
};

function docs(o: RenderOptions): Array<Record<string, any>> {
  return parseAllDocuments(renderManifest(o)).map((d) => d.toJSON() as Record<string, any>);
}

describe("renderManifest", () => {
  it("renders an Indexed Job and a merge Job that validate against the Kubernetes schema", () => {
    const [shards, merge] = docs(base);
    for (const doc of [shards, merge]) expect(() => new Job(doc as any).validate()).not.toThrow();
    expect(shards?.spec).toMatchObject({ completionMode: "Indexed", completions: 4, parallelism: 4, backoffLimit: 0 });
    const container = shards?.spec.template.spec.containers[0];
    const script = container.command[2] as string;
    expect(script).toContain(`--shard "$JOB_COMPLETION_INDEX/4" --start-at ${base.startAtEpochMs}`);
    expect(script).toContain("'ttft_ms<=500'");
    expect(script).toContain('--barrier-dir /results/qwen-sweep/barrier --out /results/qwen-sweep/shard-"$JOB_COMPLETION_INDEX"');
    expect(container.resources).toEqual({ requests: { cpu: "2", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } });
    expect(container.env).toEqual([{ name: "OPENAI_API_KEY", valueFrom: { secretKeyRef: { name: "openai-key", key: "api-key" } } }]);
    expect(merge?.spec.template.spec.containers[0].command[2]).toMatch(
      /servebench merge --wait 3600s --out \/results\/qwen-sweep\/merged \/results\/qwen-sweep\/shard-0 .* \/results\/qwen-sweep\/shard-3/,
    );
  });

  it("renders S3 storage: credentials from a Secret, push after the shard, pull-merge-push in the merge Job", () => {
    const storage = parseStorage("s3://bench-results/runs", { endpoint: "http://minio.minio.svc:9000", secret: "s3-creds" });
    const [shards, merge] = docs({ ...base, storage, namespace: undefined as unknown as string });
    for (const doc of [shards, merge]) expect(() => new Job(doc as any).validate()).not.toThrow();
    const c = shards?.spec.template.spec.containers[0];
    expect(c.envFrom).toEqual([{ secretRef: { name: "s3-creds" } }]);
    expect(c.env).toContainEqual({ name: "SERVEBENCH_S3_ENDPOINT", value: "http://minio.minio.svc:9000" });
    expect(c.command[2]).toContain('servebench k8s push /tmp/shard s3://bench-results/runs/qwen-sweep/shard-"$JOB_COMPLETION_INDEX"');
    expect(merge?.spec.template.spec.containers[0].command[2]).toContain("servebench k8s pull s3://bench-results/runs/qwen-sweep --shards 4");
  });

  it("the schema rejects what Kubernetes would reject", () => {
    const [shards] = docs(base);
    const broken = structuredClone(shards) as Record<string, any>;
    broken["spec"].parallelism = "4";
    expect(() => new Job(broken as any).validate()).toThrow(/parallelism/);
    delete broken["spec"].template;
    expect(() => new Job(broken as any).validate()).toThrow(/template/);
  });

  it("quotes shell words and parses storage", () => {
    expect(shQuote("a b'c")).toBe(`'a b'\\''c'`);
    expect(shQuote("--rate")).toBe("--rate");
    expect(parseStorage("pvc:res", {})).toEqual({ kind: "pvc", claim: "res" });
    expect(() => parseStorage("s3://b/p", {})).toThrow(/--s3-secret/);
    expect(() => parseStorage("nfs:x", {})).toThrow(/--storage/);
  });

  it("the files in deploy/ validate too", () => {
    const read = (name: string): Array<Record<string, any>> =>
      parseAllDocuments(readFileSync(new URL(`../../deploy/${name}`, import.meta.url), "utf8")).map((d) => d.toJSON() as Record<string, any>);
    const jobs = read("example-job.yaml");
    expect(jobs.map((j) => j["kind"])).toEqual(["Job", "Job"]);
    for (const j of jobs) expect(() => new Job(j as any).validate()).not.toThrow();
    expect(() => new PersistentVolumeClaim(read("pvc.yaml")[0] as any).validate()).not.toThrow();
  });
});
