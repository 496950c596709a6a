// End-to-end: a secret planted in each place servebench is given one (a plan's ${env:…}, a
// literal --api-key/--token in a server command, URL userinfo, a --metrics-url query token,
// --server-cmd, --api-key-env and OPENAI_API_KEY) never reaches a file it writes (run and plan
// directories, reports, rendered manifests) or its captured stdout/stderr; `k8s render` refuses
// to put a value from the environment into a Job's command, naming the field and --api-key-secret.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/index.js";
import { runCli } from "../helpers/cli.js";
import { FAKE_SERVER, tempDir, writePlan } from "../helpers/plan.js";

const SECRETS = {
  SB_KEY: "envsecret-PLANTED1",
  userinfo: "urlpass-PLANTED2",
  metricsQuery: "qtoken-PLANTED3",
  OPENAI_API_KEY: "oaikey-PLANTED4",
  literalArg: "literal-PLANTED5",
  runUserinfo: "runpass-PLANTED6",
  runMetricsQuery: "qtok-PLANTED7",
  serverCmd: "sk-PLANTED8",
  MYKEY: "mykey-PLANTED9",
  flowMapEnv: "hfflow-PLANTED10",
};
const env = { SB_KEY: SECRETS.SB_KEY, OPENAI_API_KEY: SECRETS.OPENAI_API_KEY, MYKEY: SECRETS.MYKEY };

const dir = tempDir("secrets");
const captured: string[] = [];
let sim: Awaited<ReturnType<typeof startSimulator>>;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, ttftMs: 0, perTokenMs: 1 });
});
afterAll(async () => {
  await sim.close();
});

function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function cli(args: string[]): Promise<number | null> {
  const result = await runCli(args, { env, timeoutMs: 90_000, cwd: dir });
  captured.push(result.stdout, result.stderr);
  return result.code;
}

describe("secrets never reach disk or the console", () => {
  it("runs a plan, a run and a report with secrets planted everywhere", async () => {
    const plan = writePlan(
      dir,
      "sec.yaml",
      `
name: sec
servers:
  sim:
    kind: local
    command: ["\${node}", "${FAKE_SERVER}", --port, "\${port}", --api-key, "\${env:SB_KEY}", --token, ${SECRETS.literalArg}]
    env: { HF_TOKEN: ${SECRETS.flowMapEnv} }
    readyTimeoutMs: 30s
    stopGraceMs: 2s
workloads:
  w: { inputTokens: 16, outputTokens: 4, clientTokenCheck: false, metricsUrl: "http://user:${SECRETS.userinfo}@127.0.0.1:9/metrics?token=${SECRETS.metricsQuery}" }
loads:
  l: { rate: [10], durationMs: 300ms }
`,
    );
    expect(await cli(["plan", "run", plan, "--out", "out/plan"])).toBe(0);
    const url = sim.url.replace("://", `://u:${SECRETS.runUserinfo}@`);
    const run = [
      "run",
      "--url",
      url,
      "--metrics-url",
      `${sim.url}/metrics?token=${SECRETS.runMetricsQuery}`,
      "--server-cmd",
      `vllm serve m --api-key ${SECRETS.serverCmd}`,
      "--api-key-env",
      "MYKEY",
      "--concurrency",
      "1",
      "--requests",
      "3",
      "--input-tokens",
      "16",
      "--output-tokens",
      "4",
      "--out",
      "out/run",
    ];
    expect(await cli(run)).toBe(0);
    expect(await cli(["report", "out/run", "out/plan", "--out", "out/report", "--no-png"])).toBe(0);
  }, 120_000);

  it("k8s render refuses a value from the environment in a Job's command, naming the field and the flag", async () => {
    const plan = writePlan(
      dir,
      "k8s.yaml",
      `
name: k
servers:
  e: { kind: existing, url: "http://127.0.0.1:8000" }
workloads:
  w: { inputTokens: 16, outputTokens: 4, model: "\${env:SB_KEY}" }
`,
    );
    const result = await runCli(["k8s", "render", "--plan", plan, "--shards", "2", "--out", join(dir, "out", "k8s.yaml")], { env, cwd: dir });
    captured.push(result.stdout, result.stderr);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--model \(field model\).*--api-key-secret NAME/);
  }, 60_000);

  it("no output file and no console line holds any planted secret", () => {
    const files = filesUnder(join(dir, "out")).filter((f) => !f.endsWith(".png"));
    expect(files.some((f) => f.endsWith("report.html"))).toBe(true);
    expect(files.some((f) => f.endsWith(join("cells", "sim", "env.json")))).toBe(true);
    const leaks: string[] = [];
    for (const path of files) {
      const text = readFileSync(path, "utf8");
      for (const [where, secret] of Object.entries(SECRETS)) if (text.includes(secret)) leaks.push(`${where} in ${path}`);
    }
    for (const text of captured) for (const [where, secret] of Object.entries(SECRETS)) if (text.includes(secret)) leaks.push(`${where} on the console`);
    expect(leaks).toEqual([]);
    // The plan's saved copy keeps where the key comes from, so `plan run --resume DIR` still reads it.
    expect(readFileSync(join(dir, "out", "plan", "plan.source.yaml"), "utf8")).toContain('--api-key, "${env:SB_KEY}"');
    // The run still recorded where it went, minus the secret parts.
    const config = JSON.parse(readFileSync(join(dir, "out", "run", "config.json"), "utf8")) as { url: string; serverCmd: string };
    expect(config.url).toBe(sim.url.replace("://", "://[redacted]@"));
    expect(config.serverCmd).toBe("vllm serve m --api-key [redacted]");
  });
});
