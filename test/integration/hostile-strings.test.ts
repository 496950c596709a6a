// End-to-end: a server whose model id carries terminal escapes, HTML and a newline. summary.md's
// first line, report.md and the console get it with the escapes stripped, the HTML neutralised
// and on one line; report.html keeps escaping it.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/index.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/plan.js";

const HOSTILE = "m\u001b]0;pwned\u0007\u001b[31m<img src=x onerror=alert(1)>\n# injected";
const dir = tempDir("hostile");
let sim: Awaited<ReturnType<typeof startSimulator>>;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, ttftMs: 0, perTokenMs: 1, model: HOSTILE });
});
afterAll(async () => {
  await sim.close();
});

describe("server-provided strings in Markdown and on the console", () => {
  it("are stripped of control bytes and HTML, and kept on their line", async () => {
    const run = await runCli([
      "run",
      "--url",
      sim.url,
      "--concurrency",
      "1",
      "--requests",
      "2",
      "--input-tokens",
      "16",
      "--output-tokens",
      "4",
      "--out",
      join(dir, "run"),
    ]);
    expect(run.code).toBe(0);
    const report = await runCli(["report", join(dir, "run"), "--out", join(dir, "report"), "--no-png"]);
    expect(report.code).toBe(0);
    const summaryMd = readFileSync(join(dir, "run", "summary.md"), "utf8");
    const reportMd = readFileSync(join(dir, "report", "report.md"), "utf8");
    const html = readFileSync(join(dir, "report", "report.html"), "utf8");
    expect(summaryMd.split("\n")[0]).toBe("# servebench: m&lt;img src=x onerror=alert(1)> # injected");
    for (const text of [summaryMd, reportMd, run.stdout, run.stderr, report.stdout, report.stderr]) {
      expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f\u007f-\u009f]/);
      expect(text).not.toMatch(/\u001b(?!\[K)/);
      expect(text).not.toContain("<img");
      expect(text).not.toMatch(/^# injected/m);
    }
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  }, 90_000);
});
