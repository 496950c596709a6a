// Integration through the built CLI: the new workload and profile flags end to end (a sweep with
// sampled lengths under --strict) and bad input reported as one line naming the flag or file:line.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { addRunFlags, runConfigFromFlags } from "../../src/cli/run-flags.js";
import { resolveRunConfig } from "../../src/config/resolve-run-config.js";
import { runCli } from "../helpers/cli.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/workload");
const tmp = mkdtempSync(join(tmpdir(), "servebench-workload-cli-"));
const SIM = ["--sim-ttft-ms", "5", "--sim-per-token-ms", "1", "--no-client-token-check", "--quiet"];

describe("servebench run: workload and profile flags", () => {
  it("runs a sweep with sampled lengths, exact under --strict", async () => {
    const out = join(tmp, "sweep");
    const r = await runCli([
      "run",
      "--profile",
      "sweep",
      "--sweep-rates",
      "2",
      "--sweep-max-concurrency",
      "4",
      "--requests",
      "6",
      "--input-dist",
      "uniform:min=20,max=60",
      "--output-dist",
      "normal:mean=6,std=2,min=2",
      "--strict",
      "--seed",
      "3",
      "--out",
      out,
      ...SIM,
    ]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      run: { workload: string; profile: string };
      levels: Array<{ load: { role?: string; kind: string }; strict: { mismatched: number; checked: number }; input_tokens: { min: number; max: number } }>;
    };
    expect(summary.run.profile).toBe("sweep");
    expect(summary.run.workload).toMatch(/input uniform:min=20,max=60/);
    expect(summary.levels.map((l) => l.load.role)).toEqual(["synchronous", "throughput", "sweep", "sweep"]);
    for (const l of summary.levels) {
      expect(l.strict).toMatchObject({ mismatched: 0, checked: 6 });
      expect(l.input_tokens.min).toBeGreaterThanOrEqual(20);
      expect(l.input_tokens.max).toBeLessThanOrEqual(60);
    }
  });

  it("reports a malformed dataset as one line naming file:line, exit 2", async () => {
    const r = await runCli([
      "run",
      "--concurrency",
      "1",
      "--requests",
      "1",
      "--out",
      join(tmp, "bad"),
      "--dataset",
      join(FIXTURES, "bad-sharegpt.json"),
      ...SIM,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^servebench: .*bad-sharegpt\.json:3: "conversations" must be an array/m);
  });

  it("rejects contradictory or malformed flags with the flag's name", () => {
    const cases: Array<[string[], RegExp]> = [
      [["--input-dist", "gauss:mean=5"], /--input-dist: "gauss:mean=5" has unknown kind/],
      [["--profile", "slo-search", "--slo", "ttft_ms<=500"], /--slo: slo-search needs aggregate terms/],
      [["--turns", "3"], /--turns: multi-turn sessions need endpoint chat/],
      [["--max-error-rate", "3"], /--max-error-rate: "3" is not a fraction/],
      [["--prefix-groups", "4"], /--prefix-groups: prefix groups need both/],
      [["--trace", "t.jsonl", "--rate", "5"], /--trace: a trace sets its own arrival times/],
      [["--think-time", "soon"], /--think-time: "soon"/],
    ];
    for (const [args, message] of cases) {
      const program = addRunFlags(new Command("run").exitOverride());
      program.parse(args, { from: "user" });
      expect(() => resolveRunConfig(runConfigFromFlags(program.opts())), args.join(" ")).toThrow(message);
    }
    const program = addRunFlags(new Command("run").exitOverride());
    program.parse(
      ["--input-dist", "lognormal:mean=512,sigma=0.5", "--slo", "ttft_ms.p99<=1000", "--ramp", "30s", "--no-stop-on-saturation", "--sim-max-num-seqs", "8"],
      { from: "user" },
    );
    expect(resolveRunConfig(runConfigFromFlags(program.opts()))).toMatchObject({
      inputDist: { kind: "lognormal", mean: 512, sigma: 0.5 },
      slo: [{ metric: "ttft_ms", stat: "p99", value: 1000 }],
      rampMs: 30_000,
      stopOnSaturation: false,
      sim: { maxNumSeqs: 8 },
    });
  });
});
