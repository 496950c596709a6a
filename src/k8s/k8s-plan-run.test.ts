// `k8s run --plan` against recorded kubectl expectations: each cell's Job is applied, followed,
// gathered and merged in turn into OUT/cells/<id>; a cell whose Job fails is recorded as failed
// (with the reason) and the next cell still runs; cells.csv has a row per cell and level.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeFakeShard } from "../../bench/scale-fake-shards.js";
import { loadPlanText } from "../plan/load-plan.js";
import type { CommandResult } from "./kubectl.js";
import type { K8sRunOptions } from "./k8s-run.js";
import { runPlanOnKubernetes } from "./k8s-plan-run.js";

const dir = mkdtempSync(join(tmpdir(), "sb-k8s-plan-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLAN = `name: k8s-run-demo
servers:
  vllm: { kind: existing, url: "http://vllm.bench.svc:8000" }
workloads:
  short: { inputTokens: 64, outputTokens: 8 }
  long: { inputTokens: 512, outputTokens: 8 }
loads:
  fixed: { concurrency: [4], requests: 8 }
`;

/** Job status per job name: the "long" cell's Job fails with shard 1 missing. */
function fakeKubectl(): { calls: string[]; run: K8sRunOptions["kubectl"] } {
  const calls: string[] = [];
  const ok = (stdout = ""): CommandResult => ({ code: 0, stdout, stderr: "" });
  return {
    calls,
    run: async (args) => {
      calls.push(args.join(" "));
      const failing = args.some((a) => a.includes("long"));
      if (args[0] === "get") {
        const status = failing
          ? { succeeded: 1, failed: 1, failedIndexes: "1", conditions: [{ type: "Failed", status: "True" }] }
          : { succeeded: 2, conditions: [{ type: "Complete", status: "True" }] };
        return ok(JSON.stringify({ status }));
      }
      if (args[0] === "cp") {
        for (const index of failing ? [0] : [0, 1])
          writeFakeShard({ dir: join(args[2] as string, `shard-${index}`), index, count: 2, perLevel: [20], outputTokens: 8, seed: 5 });
      }
      return ok();
    },
  };
}

describe("runPlanOnKubernetes", () => {
  it("runs cell after cell, records a failed cell and goes on, and writes cells.csv", async () => {
    const plan = loadPlanText(PLAN, { file: join(dir, "plan.yaml"), planDir: dir });
    const k = fakeKubectl();
    const out = join(dir, "out");
    const log: string[] = [];
    const result = await runPlanOnKubernetes(plan, {
      name: "demo",
      namespace: "bench",
      shards: 2,
      image: "servebench:test",
      storage: { kind: "pvc", claim: "results" },
      cpu: "1",
      memory: "1Gi",
      deadlineS: 600,
      startDelayMs: 30_000,
      out,
      pollMs: 1,
      kubectl: k.run,
      log: (l) => log.push(l),
      now: () => 1_795_390_000_000,
      sleep: async () => {},
    });
    expect(result).toMatchObject({ complete: 1, failed: 1 });
    const ids = plan.cells.map((c) => c.id);
    expect(ids).toHaveLength(2);
    // One apply of the Job and one of the fetch pod per cell, the first cell's entirely before the second's.
    const applies = k.calls.map((c, i) => [c, i] as const).filter(([c]) => c.startsWith("apply"));
    expect(applies).toHaveLength(4);
    const firstGet = k.calls.findIndex((c) => c.startsWith("get job demo-1-"));
    expect(firstGet).toBeGreaterThan(k.calls.findIndex((c) => c.startsWith("delete pod demo-0-")));
    const [good, bad] = ids.map((id) => JSON.parse(readFileSync(join(out, "cells", id as string, "cell.json"), "utf8")) as { status: string; reason?: string });
    expect(good?.status).toBe("complete");
    expect(existsSync(join(out, "cells", ids[0] as string, "summary.json"))).toBe(true);
    expect(bad?.status).toBe("failed");
    expect(bad?.reason).toMatch(/failed indexes 1/);
    const csv = readFileSync(join(out, "cells.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(3);
    expect(csv[1]).toMatch(new RegExp(`^${ids[0]},complete`));
    expect(csv[2]).toMatch(new RegExp(`^${ids[1]},failed`));
    expect(log.some((l) => l.startsWith("[2/2]"))).toBe(true);
  });
});
