// Seed 000's directions, from examples/seed-000-configs.yaml as written: each cell's `simulate`
// command and workload predicted in virtual time (no servers, no sleeping). The seed measured
// speculative decoding slower than vanilla at its batch of 50 and pre-quantized AWQ faster, with and
// without the brevity prompt; the example must say the same.

import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { simOptionsFromFlags } from "../../src/cli/sim-flags.js";
import { loadPlanFile } from "../../src/plan/load-plan.js";
import { predictRun, type PredictSimOptions } from "../../src/run/predict.js";
import { loadTokenizer } from "../../src/workload/tokenizer.js";

const PLAN = fileURLToPath(new URL("../../examples/seed-000-configs.yaml", import.meta.url));

/** simulate's flags of a plan server's command, as commander would hand them to simulateCommand. */
function simOf(command: readonly string[]): PredictSimOptions {
  const flags = command.slice(command.indexOf("simulate") + 1);
  const raw: Record<string, string> = {};
  for (let i = 0; i < flags.length; i += 2) {
    const name = (flags[i] as string).replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    raw[name] = flags[i + 1] as string;
  }
  const { port: _port, ...rest } = raw;
  return simOptionsFromFlags(rest, rest["model"]);
}

describe("examples/seed-000-configs.yaml predicts seed 000's directions", () => {
  it("speculative decoding slower than vanilla, AWQ faster, with and without prompt engineering", async () => {
    const plan = loadPlanFile(PLAN);
    const tokenizer = await loadTokenizer(undefined);
    const tokensPerS = async (server: string, workload: string): Promise<number> => {
      const cell = plan.cells.find((c) => c.serverName === server && c.workloadName === workload);
      if (cell === undefined || cell.server.kind !== "local") throw new Error(`no local cell ${server} × ${workload}`);
      const { summary } = await predictRun(cell.run, simOf(cell.server.command), { tokenizer, noWrite: true });
      const level = summary.levels[0];
      expect(level?.requests.completed).toBe(50);
      return level?.output_tokens_per_s ?? NaN;
    };
    const vanilla = await tokensPerS("vanilla", "vanilla");
    expect(await tokensPerS("spec-decode", "vanilla")).toBeLessThan(vanilla);
    expect(await tokensPerS("quant-awq", "vanilla")).toBeGreaterThan(vanilla);
    const brief = await tokensPerS("vanilla", "prompt-eng");
    expect(await tokensPerS("spec-decode", "prompt-eng")).toBeLessThan(brief);
    expect(await tokensPerS("quant-awq", "prompt-eng")).toBeGreaterThan(brief);
    expect(await tokensPerS("spec-decode-awq", "prompt-eng")).toBeLessThan(brief);
  }, 60_000);
});
