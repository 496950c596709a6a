// `k8s run` against recorded kubectl expectations: apply, poll the Job, fetch shards through a
// pod on the volume, merge; a failed Job names its failed indexes and what is missing.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pod } from "kubernetes-models/v1/Pod";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { writeFakeShard } from "../../bench/scale-fake-shards.js";
import type { CommandResult } from "./kubectl.js";
import { runOnKubernetes, type K8sRunOptions } from "./k8s-run.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-k8s-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Call {
  args: string[];
  stdin?: string;
}

/** A recorded kubectl: answers job status from a script and materialises shards on `cp`. */
function fakeKubectl(statuses: object[], shardsOnCp: number[]): { calls: Call[]; run: K8sRunOptions["kubectl"] } {
  const calls: Call[] = [];
  let poll = 0;
  const ok = (stdout = ""): CommandResult => ({ code: 0, stdout, stderr: "" });
  return {
    calls,
    run: async (args, stdin) => {
      calls.push(stdin === undefined ? { args: [...args] } : { args: [...args], stdin });
      if (args[0] === "get") return ok(JSON.stringify({ status: statuses[Math.min(poll++, statuses.length - 1)] }));
      if (args[0] === "cp") {
        for (const index of shardsOnCp)
          writeFakeShard({ dir: join(args[2] as string, `shard-${index}`), index, count: 3, perLevel: [50], outputTokens: 8, seed: 3 });
      }
      return ok();
    },
  };
}

function options(out: string, kubectl: K8sRunOptions["kubectl"], log: string[]): K8sRunOptions {
  return {
    name: "sweep",
    namespace: "bench",
    shards: 3,
    image: "servebench:test",
    runArgs: ["--url", "http://vllm:8000", "--concurrency", "30"],
    storage: { kind: "pvc", claim: "results" },
    cpu: "1",
    memory: "1Gi",
    deadlineS: 600,
    startDelayMs: 60_000,
    out,
    pollMs: 1,
    kubectl,
    log: (l) => log.push(l),
    now: () => 1_795_390_000_000,
    sleep: async () => {},
  };
}

describe("runOnKubernetes", () => {
  it("applies, follows, gathers through a fetch pod and merges", async () => {
    const k = fakeKubectl([{ active: 3 }, { active: 1, succeeded: 2 }, { succeeded: 3, conditions: [{ type: "Complete", status: "True" }] }], [0, 1, 2]);
    const log: string[] = [];
    const out = join(tmp, "ok");
    const result = await runOnKubernetes(options(out, k.run, log));
    expect(k.calls.map((c) => c.args.join(" "))).toEqual([
      "apply -f - -n bench",
      "get job sweep -o json -n bench",
      "get job sweep -o json -n bench",
      "get job sweep -o json -n bench",
      "apply -f - -n bench",
      "wait --for=condition=Ready pod/sweep-fetch --timeout=300s -n bench",
      `cp bench/sweep-fetch:/results/sweep ${join(out, "shards")} -n bench`,
      "delete pod sweep-fetch --wait=false -n bench",
    ]);
    expect(k.calls[0]?.stdin).toContain("--start-at 1795390060000");
    expect(k.calls[0]?.stdin).not.toContain("sweep-merge");
    expect(k.calls[4]?.stdin).toContain("claimName: results");
    expect(() => new Pod(parse(k.calls[4]?.stdin ?? "") as any).validate()).not.toThrow();
    expect(log).toContain("job/sweep: 2/3 shards done, 1 running, 0 failed");
    expect(result.summary.levels[0]?.requests.sent).toBe(150);
    expect(readFileSync(join(out, "manifest.yaml"), "utf8")).toContain("completionMode: Indexed");
  });

  it("a failed Job names its failed index and the missing shard", async () => {
    const k = fakeKubectl([{ succeeded: 2, failed: 1, failedIndexes: "1", conditions: [{ type: "Failed", status: "True" }] }], [0, 2]);
    await expect(runOnKubernetes(options(join(tmp, "failed"), k.run, []))).rejects.toThrow(
      /job\/sweep failed \(failed indexes 1\)[\s\S]*shard-1: shard directory does not exist/,
    );
  });
});
