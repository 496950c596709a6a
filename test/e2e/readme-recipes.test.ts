// Every command in README's "Recipes" runs, through the built CLI, against a simulator on
// 127.0.0.1 (`$URL`), made small by flags appended after the recipe's own (the last value of a
// flag wins), with results/ redirected to a temp dir. Plan runs are validated (their cells are
// whole deployments; test/integration covers running plans), and commands reading a plan's
// results are then skipped. A recipe that no longer parses or runs fails here.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "../helpers/cli.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const ROOT = new URL("../../", import.meta.url).pathname;

/** The `servebench …` lines of the Recipes section's code blocks, in order. */
function recipeCommands(): string[] {
  const section = README.slice(README.indexOf("## Recipes"), README.indexOf("## Reference"));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  return blocks.flatMap((b) =>
    b
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("servebench ")),
  );
}

/** Shell words: spaces split, '…' and "…" quote (no escapes or expansions besides $URL). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? "");
  return out;
}

const SMALL_RUN = ["--input-tokens", "64", "--output-tokens", "8", "--requests", "4", "--warmup", "0"];
function shrink(args: string[]): string[] {
  const cmd = args[0];
  if (cmd === "predict") return [...args, ...SMALL_RUN, "--concurrency", "1,2"];
  if (cmd !== "run") return args;
  const profile = args[args.indexOf("--profile") + 1];
  if (args.includes("--profile") && profile === "sweep") return [...args, ...SMALL_RUN, "--sweep-rates", "2", "--sweep-max-concurrency", "4"];
  if (args.includes("--profile") && profile === "slo-search") return [...args, ...SMALL_RUN, "--slo-max-levels", "3", "--slo-search-by", "concurrency"];
  return [...args, ...SMALL_RUN, "--concurrency", "1,2"];
}

let sim: ChildProcess;
let url: string;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "servebench-recipes-"));
  sim = spawn(process.execPath, [CLI, "simulate", "--dialect", "llamacpp", "--port", "0", "--print-url", "--ttft-ms", "5", "--per-token-ms", "1"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  url = await new Promise<string>((resolve, reject) => {
    let out = "";
    sim.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    sim.on("exit", (code) => reject(new Error(`simulator exited (${code})`)));
  });
}, 60_000);

afterAll(() => {
  sim.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
});

describe("README recipes", () => {
  const commands = recipeCommands();
  it("has one recipe per workflow our users run", () => {
    expect(commands.length).toBeGreaterThanOrEqual(10);
    for (const verb of ["run", "plan run", "report", "compare", "predict"]) expect(commands.some((c) => c.startsWith(`servebench ${verb} `))).toBe(true);
  });

  it("every command runs against the simulator", async () => {
    const skipped: string[] = [];
    for (const line of commands) {
      let args = words(line.replace(/^servebench\s+/, "")).map((w) => w.replaceAll("$URL", url).replace(/^results\//, `${work}/`));
      if (args[0] === "plan" && args[1] === "run") {
        const r = await runCli(["plan", "validate", join(ROOT, args[2] as string)], { timeoutMs: 60_000 });
        expect(r.code, `${line}\n${r.stderr}`).toBe(0);
        continue;
      }
      const inputs = args.filter(
        (a) => a.startsWith(`${work}/`) && args[0] !== "run" && args[0] !== "predict" && !args[args.indexOf(a) - 1]?.startsWith("--out"),
      );
      if (inputs.some((d) => !existsSync(d))) {
        skipped.push(line);
        continue;
      }
      args = shrink(args);
      const r = await runCli(args, { timeoutMs: 120_000, cwd: ROOT });
      const allowed = args[0] === "compare" ? [0, 4] : [0];
      expect(allowed, `${line}\nexit ${r.code}\n${r.stderr}`).toContain(r.code);
      expect(r.stderr).not.toMatch(/internal error/);
    }
    // Only what reads a plan's results (plans are validated here, not run).
    expect(
      skipped.every((l) => /results\/seed-00\d/.test(l)),
      skipped.join("\n"),
    ).toBe(true);
  }, 600_000);
});
