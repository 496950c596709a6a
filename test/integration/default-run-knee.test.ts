// The default run (`servebench run`, no flags) predicted in virtual time: its levels must reach past
// the default preset's saturation knee, by servebench's own report rule, within the 40 s budget.

import { describe, expect, it } from "vitest";
import { resolveRunConfig } from "../../src/config/resolve-run-config.js";
import { analyzeRun } from "../../src/report/analysis.js";
import { embeddedSimOptions } from "../../src/run/embedded-sim.js";
import { predictRun } from "../../src/run/predict.js";

describe("the default run", () => {
  it("shows a knee inside its default levels (c=16) and serves them in under 40 s of simulated time", async () => {
    const { options } = embeddedSimOptions(resolveRunConfig({}));
    const { clock: _clock, host: _host, port: _port, trace: _trace, spinMs: _spin, ...sim } = options;
    const { summary, simulatedS } = await predictRun({}, sim, { noWrite: true });
    const analysis = analyzeRun(summary.levels);
    // The rule of `servebench report`: latency rises faster than throughput from this level to the next.
    expect(analysis.knee?.load).toBe("c=16");
    expect(analysis.knee?.next).toBe("c=32");
    // Throughput flattens past the knee while latency keeps rising.
    expect(analysis.knee?.throughputGain ?? 1).toBeLessThan(0.3);
    expect(analysis.knee?.latencyGain ?? 0).toBeGreaterThan(0.5);
    // Real time adds start-up (tokenizer, simulator) to the served time: leave room for it.
    expect(simulatedS).toBeLessThan(37);
  });
});
