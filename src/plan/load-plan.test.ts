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
    const plan = loadPlanText(text, { file: "p.yaml", planDir: "/plans", env: { SECRET: "hunter2" }, checkFiles: false });
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

describe("plans that would exhaust the machine, or fail hours in", () => {
  const existing = `servers:\n  e: { kind: existing, url: "http://127.0.0.1:8000" }\n`;
  const opts = { file: "p.yaml", planDir: "/tmp", env: { HOME: "/root" } };

  it("refuses a YAML alias bomb as a plan problem", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const [prev, name] of [
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
      ["d", "e"],
      ["e", "f"],
    ] as const)
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    const found = problems(() => loadPlanText(`${levels.join("\n")}\n${existing}`, opts));
    expect(found[0]?.[2]).toMatch(/YAML aliases .* more than 1000 times/);
  });

  it("refuses 3 dimensions of 100 values before expanding them, and --max-cells raises the cap", () => {
    const values = `[${Array.from({ length: 100 }, (_, i) => i + 1).join(", ")}]`;
    const text = `${existing}workloads:\n  w: { inputTokens: "\${x}", outputTokens: "\${y}", seed: "\${z}" }\nmatrix:\n  dimensions:\n    x: ${values}\n    y: ${values}\n    z: ${values}\n`;
    const found = problems(() => loadPlanText(text, opts));
    expect(found).toHaveLength(1);
    expect(found[0]?.[2]).toMatch(/up to 1,000,000 cells .*limit of 10,000.*--max-cells/);
    const small = text.replace(`z: ${values}`, "z: [1]").replace(`y: ${values}`, "y: [1, 2]");
    expect(problems(() => loadPlanText(small, { ...opts, maxCells: 100 }))[0]?.[2]).toMatch(/up to 200 cells/);
    expect(loadPlanText(small, { ...opts, maxCells: 200 }).cells).toHaveLength(200);
  });

  it("checks that the files a plan names exist, and that apiKeyEnv is set", () => {
    const text = `${existing}workloads:\n  w: { dataset: no-such.jsonl, tokenizer: ./no-such-dir, apiKeyEnv: NOT_SET_23 }\n`;
    const found = problems(() => loadPlanText(text, opts)).map(([path, , message]) => `${path}: ${message}`);
    expect(found).toEqual([
      expect.stringMatching(/^workloads\.w\.dataset: no such file: \/tmp\/no-such\.jsonl/),
      expect.stringMatching(/^workloads\.w\.tokenizer: tokenizer "\.\/no-such-dir" not found/),
      expect.stringMatching(/^workloads\.w\.apiKeyEnv: the environment variable NOT_SET_23 is not set/),
    ]);
    expect(() => loadPlanText(text.replace(/dataset: [^,]+, tokenizer: [^,]+, /, ""), { ...opts, runsHere: false })).not.toThrow();
  });

  it("resolves trace and hist: files from the plan's folder, as dataset, and checks they exist", () => {
    const text = `${existing}workloads:\n  w: { trace: t/no-trace.jsonl }\n  v: { inputDist: { kind: histogram, file: h/no-hist.csv }, outputTokens: 8 }\n`;
    const found = problems(() => loadPlanText(text, opts)).map(([path, , message]) => `${path}: ${message}`);
    expect(found).toEqual([
      expect.stringMatching(/^workloads\.w\.trace: no such file: \/tmp\/t\/no-trace\.jsonl/),
      expect.stringMatching(/^workloads\.v\.inputDist\.file: no such file: \/tmp\/h\/no-hist\.csv/),
    ]);
  });
});
