// Integration: the published JSON Schema is the one the code generates, every example plan is
// valid, and `servebench plan validate` prints each problem with file, line and path.

import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadPlanFile } from "../../src/plan/load-plan.js";
import { planJsonSchema } from "../../src/plan/plan-schema.js";
import { runCli } from "../helpers/cli.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const BAD = `${root}test/fixtures/plan/bad-plan.yaml`;

describe("plan schema and examples", () => {
  it("docs/plan.schema.json equals the generated schema (regenerate: servebench plan schema > docs/plan.schema.json)", () => {
    const committed = JSON.parse(readFileSync(`${root}docs/plan.schema.json`, "utf8")) as unknown;
    expect(committed).toEqual(planJsonSchema());
  });

  const examples = readdirSync(`${root}examples`).filter((f) => f.endsWith(".yaml"));
  it.each(examples)("examples/%s is a valid plan", (file) => {
    const plan = loadPlanFile(`${root}examples/${file}`);
    expect(plan.cells.length).toBeGreaterThan(0);
  });

  it("the seed-003 example has 4 presets × 2 models × 2 context lengths × TP/PP", () => {
    const plan = loadPlanFile(`${root}examples/seed-003-matrix.yaml`);
    expect(plan.cells).toHaveLength(32);
    expect(plan.cells.find((c) => c.dimensions["preset"] === "H100X2" && c.dimensions["parallel"] === "pp")?.dimensions).toMatchObject({
      tp: 1,
      pp: 2,
      gpus: 2,
    });
  });

  it("plan validate prints file:line:col: path: message for every problem and exits 2", async () => {
    const r = await runCli(["plan", "validate", BAD]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toContain(`${BAD}:15:5: workloads.chat.inputTokns: unknown field "inputTokns" (did you mean "inputTokens"?)`);
    expect(lines.at(-1)).toBe(`${BAD}: 10 problems`);
  });

  it("plan show lists every cell with its expanded command; plan schema prints the schema", async () => {
    const show = await runCli(["plan", "show", `${root}examples/seed-001-strict.yaml`]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/seed-001-strict: 2 cells/);
    expect(show.stdout).toMatch(
      /simulate --port \$\{port\} --gpu RTX-PRO-6000 --model Qwen\/Qwen3-32B-NVFP4 --enforce-eager --max-model-len 10928 --gpu-memory-utilization 0.90/,
    );
    const schema = await runCli(["plan", "schema"]);
    expect(JSON.parse(schema.stdout)).toEqual(planJsonSchema());
  });
});
