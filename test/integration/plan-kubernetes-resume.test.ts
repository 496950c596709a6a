// Integration: resuming a plan whose killed run left a Kubernetes release behind runs the plan's
// own uninstall for it (derived from the plan's server spec, never from pids.json), and an entry
// naming a server or instance the plan does not have runs nothing and is reported.

import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlanText } from "../../src/plan/load-plan.js";
import { runPlan, type PlanEvent } from "../../src/plan/run-plan.js";
import { PLAN_FIXTURES, tempDir } from "../helpers/plan.js";

const dir = tempDir("plan-k8s-resume");
const kubectl = join(PLAN_FIXTURES, "fake-kubectl.mjs");
const helm = join(PLAN_FIXTURES, "fake-helm.mjs");
const log = join(dir, "commands.jsonl");
const planted = join(dir, "PLANTED");

const PLAN = `
servers:
  vllm:
    kind: kubernetes
    namespace: bench
    kubectl: ${kubectl}
    helmBin: ${helm}
    helm: { release: "vllm-\${preset}", chart: oci://registry.example/charts/vllm }
    portForward: { resource: "svc/vllm", port: 8000 }
    readyTimeoutMs: 30s
workloads:
  w: { inputTokens: 16, outputTokens: 4, clientTokenCheck: false }
loads:
  l: { concurrency: [1], requests: 1 }
matrix:
  dimensions: { preset: [a, b] }
`;

describe("plan run --resume after a killed Kubernetes run", () => {
  it("uninstalls with the plan's own command and ignores entries the plan does not match", async () => {
    process.env["FAKE_K8S_LOG"] = log;
    delete process.env["FAKE_K8S_FAIL"];
    const plan = loadPlanText(PLAN, { file: "k8s.yaml", planDir: dir });
    const out = join(dir, "out");
    await runPlan(plan, { out });
    rmSync(log, { force: true });
    const touch = [["/bin/sh", "-c", `touch ${planted}`]];
    writeFileSync(
      join(out, "pids.json"),
      JSON.stringify({
        entries: [
          { kind: "kubernetes", server: "vllm", instance: "b", startedAt: "x" },
          { kind: "kubernetes", server: "vllm", instance: "a", cleanup: touch, startedAt: "x" },
          { kind: "kubernetes", server: "vllm", instance: "nope", startedAt: "x" },
          { kind: "kubernetes", server: "other", instance: "a", startedAt: "x" },
        ],
      }),
    );
    const events: PlanEvent[] = [];
    await runPlan(plan, { out, resume: true, onEvent: (e) => events.push(e) });
    const commands = existsSync(log)
      ? readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((l) => (JSON.parse(l) as string[]).join(" "))
      : [];
    expect(commands.filter((c) => c.includes("uninstall"))).toEqual([`helm uninstall vllm-b --namespace bench --wait --timeout=120s`]);
    expect(existsSync(planted)).toBe(false);
    const warnings = events.flatMap((e) => (e.kind === "warning" ? [e.message] : []));
    expect(warnings).toHaveLength(3);
    expect(warnings.join("\n")).toMatch(/entries\[1\]\.cleanup|entries\[1\]: .*cleanup/);
    expect(warnings.join("\n")).toMatch(/instance nope/);
    expect(warnings.join("\n")).toMatch(/"other"/);
  }, 60_000);
});
