import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { planJson } from "./cell-files.js";
import { formatPath, PlanError } from "./issues.js";
import { loadPlanFile, loadPlanText } from "./load-plan.js";

const BAD = fileURLToPath(new URL("../../test/fixtures/plan/bad-plan.yaml", import.meta.url));

function problems(load: () => unknown): Array<[string, number | undefined, string]> {
  try {
    load();
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    return error.issues.map((i) => [formatPath(i.path), i.line, i.message]);
  }
  throw new Error("expected a PlanError");
}

const SERVER = `servers:\n  s: { kind: local, command: [srv, --port, "\${port}", --model, "\${model}"] }\n`;

describe("loading a plan", () => {
  it("reports every problem at once, each with its path and line", () => {
    const found = problems(() => loadPlanFile(BAD));
    expect(found.map(([path, line]) => [path, line])).toEqual([
      ["servers.sim.command[6]", 5],
      ["servers.sim.port", 6],
      ["servers.remote.url", 7],
      ["servers.k8s.url", 9],
      ["workloads.chat.endpoint", 14],
      ["workloads.chat.inputTokns", 15],
      ["loads.sweep.concurrency[2]", 19],
      ["loads.sweep.durationMs", 20],
      ["matrix.dimensions.server[1]", 23],
      ["matrix.exclude[0].gpus", 27],
    ]);
    expect(found[0]?.[2]).toMatch(/unknown variable \$\{gpuu\}/);
    expect(found[5]?.[2]).toBe('unknown field "inputTokns" (did you mean "inputTokens"?)');
  });

  it("maps JSON plans to lines too, and reports syntax errors with a line", () => {
    const json = '{\n  "servers": {\n    "s": { "kind": "local", "command": [] }\n  }\n}\n';
    expect(problems(() => loadPlanText(json, { file: "p.json", planDir: "/tmp" }))).toEqual([
      ["servers.s.command", 3, expect.stringMatching(/>=1 items/) as unknown],
    ]);
    const broken = problems(() => loadPlanText("servers:\n  s: [1,\n bad", { file: "p.yaml", planDir: "/tmp" }));
    expect(broken[0]?.[1]).toBeGreaterThanOrEqual(2);
    expect(broken[0]?.[2]).toMatch(/^syntax: /);
  });

  it("checks each cell after expansion and names the cell", () => {
    const text = `${SERVER}workloads:\n  w: { inputTokens: "\${model}" }\nmatrix:\n  dimensions: { model: [a, b] }\n`;
    expect(problems(() => loadPlanText(text, { file: "p.yaml", planDir: "/tmp" }))).toEqual([
      ["workloads.w.inputTokens", 4, "Invalid input: expected number, received string [cell a and 1 more]"],
    ]);
  });

  it("applies runConfigSchema's own cross-field checks to each cell", () => {
    const text = `${SERVER}workloads:\n  w: { concurrency: [1] }\nloads:\n  l: { rate: [2] }\nmatrix:\n  dimensions: { model: [a] }\n`;
    expect(problems(() => loadPlanText(text, { file: "p.yaml", planDir: "/tmp" }))).toEqual([
      ["loads.l.rate", 6, "use either concurrency or rate, not both [cell a]"],
    ]);
  });

  it("expands variables before anything runs: types kept, env read, ${port} left for launch, paths made absolute", () => {
    const text = `${SERVER}  t: { kind: local, env: { TOKEN: "\${env:SECRET}" }, command: [x] }
workloads:
  w: { inputTokens: "\${ctx}", outputTokens: 8, dataset: data/q.jsonl, system: "Be brief, \${model}." }
loads:
  l: { concurrency: [1, "\${c}"], requests: 3x, durationMs: 90s }
slo: ttft_ms<=500
matrix:
  dimensions: { model: [m1], ctx: [1024], c: [8], server: [s, t] }
`;
    const plan = loadPlanText(text, { file: "p.yaml", planDir: "/plans", env: { SECRET: "hunter2" } });
    const [s, t] = plan.cells;
    expect(s?.id).toBe("s");
    expect(s?.server).toMatchObject({ kind: "local", command: ["srv", "--port", "${port}", "--model", "m1"], cwd: "/plans" });
    expect(s?.run).toEqual({
      slo: [{ metric: "ttft_ms", op: "<=", value: 500 }],
      inputTokens: 1024,
      outputTokens: 8,
      dataset: "/plans/data/q.jsonl",
      concurrency: [1, 8],
      requests: { kind: "multiple", factor: 3 },
      durationMs: 90_000,
    });
    expect(s?.system).toBe("Be brief, m1.");
    expect(t?.server).toMatchObject({ env: { TOKEN: "hunter2" } });
    expect(JSON.stringify(planJson(plan))).not.toContain("hunter2");
    expect(JSON.stringify(planJson(plan))).toContain("${env:SECRET}");
  });

  it("fails on a missing environment variable, naming where it is used", () => {
    const text = `servers:\n  s: { kind: existing, url: "\${env:SERVEBENCH_TEST_UNSET_URL}" }\n`;
    expect(problems(() => loadPlanText(text, { file: "p.yaml", planDir: "/tmp", env: {} }))).toEqual([
      ["servers.s.url", 2, expect.stringMatching(/SERVEBENCH_TEST_UNSET_URL is not set/) as unknown],
    ]);
  });
});
