// Secrets and hostile strings through the built CLI and a real report. With OPENAI_API_KEY set, a
// --url carrying user:password@ and a --server-cmd with --api-key, no file of the run directory
// or the report and no console line holds a secret. Markup in the model name, prompt, server
// command and plan dimension values (tags) is text: escaped in report.md, inert in Chromium.

import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "../../src/sim/index.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { CLI } from "../helpers/cli.js";
import { CHROMIUM, launchChromium } from "../helpers/chromium.js";

const SECRETS = { env: "sk-ENVSECRET-4f1c9a", password: "pa55-URLSECRET-77", user: "alice-USERSECRET", cmd: "sk-CMDSECRET-0b3e" };
const HOSTILE = {
  model: "<script>alert('model')</script>",
  prompt: "\"><img src=x onerror=alert('prompt')>",
  cmd: "vllm serve <script>alert('cmd')</script> --tag \"><img src=x onerror=alert('tag')>",
  /** Plan dimension values: the tags every cell of a plan report is labelled with. */
  tags: ["\"><img src=x onerror=alert('dim')>", "<script>alert('dim2')</script>"],
};

const tmp = mkdtempSync(join(tmpdir(), "sb-secrets-"));
let sim: RunningSimulator;
let hostileSim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, model: "m", ttftMs: 1, perTokenMs: 1 });
  hostileSim = await startSimulator({ port: 0, model: HOSTILE.model, ttftMs: 1, perTokenMs: 1 });
});
afterAll(async () => {
  await sim.close();
  await hostileSim.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process (the simulators live here). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`CLI did not exit: ${output}`));
    }, 90_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every place a secret was found: "file: secret" (binary files are searched as latin1). */
function leaks(paths: string[], texts: Record<string, string>): string[] {
  const found: string[] = [];
  const check = (where: string, text: string): void => {
    for (const s of Object.values(SECRETS)) if (text.includes(s)) found.push(`${where}: ${s}`);
  };
  for (const p of paths.flatMap(filesUnder)) check(p, readFileSync(p, "latin1"));
  for (const [where, text] of Object.entries(texts)) check(where, text);
  return found;
}

function withCredentials(url: string): string {
  const u = new URL(url);
  u.username = SECRETS.user;
  u.password = SECRETS.password;
  return u.toString();
}

describe("secrets", () => {
  it("no file of the run directory or the report, and no console line, holds a secret", async () => {
    const env = { OPENAI_API_KEY: SECRETS.env };
    const out = join(tmp, "run");
    const run = await cli(
      [
        "run",
        "--url",
        withCredentials(sim.url),
        "--concurrency",
        "1",
        "--requests",
        "3",
        "--input-tokens",
        "8",
        "--output-tokens",
        "4",
        "--server-cmd",
        `vllm serve m --api-key ${SECRETS.cmd} --port 8000`,
        "--out",
        out,
      ],
      env,
    );
    expect(run.code, run.output).toBe(0);
    const report = await cli(["report", out, "--out", join(tmp, "report")], env);
    expect(report.code, report.output).toBe(0);
    // A target that cannot be reached: the error line names the URL without its userinfo.
    const refused = await cli(
      ["run", "--url", withCredentials("http://127.0.0.1:1"), "--concurrency", "1", "--requests", "1", "--out", join(tmp, "refused")],
      env,
    );
    expect(refused.code).toBe(EXIT.targetFailed);
    expect(refused.output).toMatch(/127\.0\.0\.1:1\b/);
    expect(leaks([out, join(tmp, "report")], { "run console": run.output, "report console": report.output, "refused console": refused.output })).toEqual([]);
    // The recorded command still says what ran.
    expect(readFileSync(join(out, "env.json"), "utf8")).toContain("vllm serve m --api-key [redacted] --port 8000");
  }, 120_000);
});

describe("hostile strings", () => {
  const out = join(tmp, "hostile");
  const reportDir = join(tmp, "hostile-report");

  beforeAll(async () => {
    const run = await cli([
      "run",
      "--url",
      hostileSim.url,
      "--model",
      HOSTILE.model,
      "--prompt",
      HOSTILE.prompt,
      "--output-tokens",
      "4",
      "--concurrency",
      "1",
      "--requests",
      "2",
      "--server-cmd",
      HOSTILE.cmd,
      "--out",
      out,
    ]);
    expect(run.code, run.output).toBe(0);
    const planFile = join(tmp, "tags.yaml");
    const tags = HOSTILE.tags.map((t) => JSON.stringify(t)).join(", ");
    writeFileSync(
      planFile,
      `servers:\n  prod: { kind: existing, url: "${sim.url}", health: false }\nworkloads:\n  w: { inputTokens: 8, outputTokens: 4, clientTokenCheck: false }\n` +
        `loads:\n  l: { concurrency: [1], requests: 2 }\nmatrix:\n  dimensions:\n    tag: [${tags}]\n`,
    );
    const plan = await cli(["plan", "run", planFile, "--out", join(tmp, "plan")]);
    expect(plan.code, plan.output).toBe(0);
    const report = await cli(["report", out, join(tmp, "plan"), "--out", reportDir, "--no-png"]);
    expect(report.code, report.output).toBe(0);
  }, 120_000);

  it("report.md shows them as escaped text", () => {
    const md = readFileSync(join(reportDir, "report.md"), "utf8");
    expect(md).not.toMatch(/<script|<img/i);
    // The model name and the command are there, as text.
    expect(md).toContain("&lt;script>alert('model')&lt;/script>");
    expect(md).toContain("vllm serve &lt;script>alert('cmd')&lt;/script>");
    expect(md).toContain("\">&lt;img src=x onerror=alert('dim')>");
    expect(md).toContain("&lt;script>alert('dim2')&lt;/script>");
  });

  it.runIf(CHROMIUM !== undefined)(
    "report.html renders them as text in Chromium and no dialog fires",
    async () => {
      const context = await launchChromium(join(tmp, "profile"));
      try {
        const page = await context.newPage();
        const dialogs: string[] = [];
        page.on("dialog", (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        await page.goto(pathToFileURL(join(reportDir, "report.html")).href, { waitUntil: "load" });
        await page.waitForTimeout(200); // an onerror handler fires after the image fails to load
        expect(dialogs).toEqual([]);
        await page.locator("details").evaluateAll((all) => all.forEach((d) => d.setAttribute("open", ""))); // per-cell parts are folded
        const text = await page.locator("body").innerText();
        expect(text).toContain(HOSTILE.model);
        expect(text).toContain("vllm serve <script>alert('cmd')</script>");
        for (const tag of HOSTILE.tags) expect(text).toContain(tag);
        // The report's own script is there; no element came from the hostile strings.
        const injected = await page.$$eval("script, img, [onerror]", (els) => els.filter((e) => e.outerHTML.includes("alert(")).length);
        expect(injected).toBe(0);
      } finally {
        await context.close();
      }
    },
    60_000,
  );
});
