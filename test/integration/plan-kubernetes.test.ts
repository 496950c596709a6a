// Integration: the kubernetes launcher runs exactly the recorded kubectl/helm commands (fake
// kubectl and helm scripts record their argv; the fake `kubectl port-forward` serves the
// simulator), collects pod logs per cell, and deletes what it created, also when rollout fails.

import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { kubernetesCommands } from "../../src/plan/launchers/kubernetes.js";
import { loadPlanText } from "../../src/plan/load-plan.js";
import { runPlan } from "../../src/plan/run-plan.js";
import { serverSpecSchema } from "../../src/plan/plan-schema.js";
import { PLAN_FIXTURES, readJson, tempDir } from "../helpers/plan.js";

const dir = tempDir("plan-k8s");
const kubectl = join(PLAN_FIXTURES, "fake-kubectl.mjs");
const helm = join(PLAN_FIXTURES, "fake-helm.mjs");
const log = join(dir, "commands.jsonl");
const CELL = "vllm-fails_meta-llama-Llama-3.2-3B-Instruct_8192";

function recorded(out: string): string[] {
  return readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((line) =>
      (JSON.parse(line) as string[])
        .join(" ")
        .replaceAll(out, "<OUT>")
        .replace(/ \d+:8000$/, " <PORT>:8000"),
    );
}

function expected(name: string): string[] {
  return readFileSync(join(PLAN_FIXTURES, name), "utf8").trim().split("\n");
}

beforeEach(() => {
  rmSync(log, { force: true });
  process.env["FAKE_K8S_LOG"] = log;
  delete process.env["FAKE_K8S_FAIL"];
  readFileSync(kubectl); // the fixtures exist and are executable (git keeps the mode)
});

describe("kubernetes launcher", () => {
  it("helm: upgrade --install per preset, rollout, port-forward, pod logs into server.log, uninstall", async () => {
    const out = join(dir, "helm");
    const plan = loadPlanText(
      `
servers:
  vllm:
    kind: kubernetes
    namespace: bench
    context: test-ctx
    kubectl: ${kubectl}
    helmBin: ${helm}
    helm:
      release: vllm-\${release}
      chart: oci://registry.example/charts/vllm
      values: { gpu: "\${preset}", tensorParallelSize: "\${gpus}", args: ["--max-model-len", "\${ctx}"] }
      args: ["--atomic=false"]
    portForward: { resource: "svc/vllm-\${release}", port: 8000 }
    logs: { selector: "app=vllm-\${release}" }
    readyTimeoutMs: 30s
workloads:
  w: { inputTokens: 16, outputTokens: 4, clientTokenCheck: false }
loads:
  l: { concurrency: [2], requests: 2 }
matrix:
  dimensions: { preset: [H100X1, H100X2], ctx: [2048] }
  include:
    - { preset: H100X1, gpus: 1, release: h100x1 }
    - { preset: H100X2, gpus: 2, release: h100x2 }
`,
      { file: "k8s.yaml", planDir: dir },
    );
    const result = await runPlan(plan, { out });
    expect(result.cells.map((c) => [c.id, c.status])).toEqual([
      ["H100X1", "complete"],
      ["H100X2", "complete"],
    ]);
    expect(recorded(out)).toEqual(expected("kubernetes-helm.commands.txt"));
    expect(readFileSync(join(out, "servers", "H100X2", "values.yaml"), "utf8")).toBe(
      "gpu: H100X2\ntensorParallelSize: 2\nargs:\n  - --max-model-len\n  - 2048\n",
    );
    expect(readFileSync(join(out, "cells", "H100X1", "server.log"), "utf8")).toMatch(/Started server process/);
    expect(readJson<{ entries: unknown[] }>(join(out, "pids.json")).entries).toEqual([]);
  });

  it("manifest: a failed rollout fails the cell with the pod logs, and the manifest is still deleted", async () => {
    process.env["FAKE_K8S_FAIL"] = "rollout";
    const out = join(dir, "manifest");
    const plan = loadPlanText(
      `
servers:
  vllm:
    kind: kubernetes
    kubectl: ${kubectl}
    manifest: ${join(PLAN_FIXTURES, "vllm-deployment.yaml")}
    rollout: [deployment/vllm]
    url: http://127.0.0.1:9
    readyTimeoutMs: 20s
matrix:
  dimensions: { preset: [vllm-fails], model: [meta-llama/Llama-3.2-3B-Instruct], ctx: [8192] }
`,
      { file: "k8s.yaml", planDir: dir },
    );
    const result = await runPlan(plan, { out });
    expect(result.cells[0]?.reason).toMatch(/server did not start: kubectl rollout status failed \(exit 1\): error: simulated rollout failure/);
    expect(recorded(out)).toEqual(expected("kubernetes-manifest.commands.txt"));
    const cell = readJson<{ log_tail: string[] }>(join(out, "cells", CELL, "cell.json"));
    expect(cell.log_tail.join("\n")).toMatch(/Avg prompt throughput/);
    const manifest = readFileSync(join(out, "servers", CELL, "manifest.yaml"), "utf8");
    expect(manifest).toContain('args: ["--model", "meta-llama/Llama-3.2-3B-Instruct", "--max-model-len", "8192", "--port", "8000"]');
  });

  it("builds the documented argv without a cluster", () => {
    const spec = serverSpecSchema.parse({ kind: "kubernetes", helm: { release: "r", chart: "c" }, url: "http://svc:8000", readyTimeoutMs: "10m" });
    if (spec.kind !== "kubernetes") throw new Error("kind");
    const c = kubernetesCommands(spec, "/out/servers/x");
    expect(c.install).toEqual(["helm", "upgrade", "--install", "r", "c", "--namespace", "default", "--create-namespace", "-f", "/out/servers/x/values.yaml"]);
    expect(c.rollout).toEqual([["kubectl", "rollout", "status", "deployment/r", "--namespace", "default", "--timeout=600s"]]);
    expect(c.logs?.(undefined, undefined)).toEqual([
      "kubectl",
      "logs",
      "--namespace",
      "default",
      "deployment/r",
      "--all-containers=true",
      "--prefix=true",
      "--tail=-1",
    ]);
    expect(c.cleanup).toEqual([["helm", "uninstall", "r", "--namespace", "default", "--wait", "--timeout=120s"]]);
  });
});
