// runTimedCommand against real child processes: output and exit code, stdin, the time bound (the
// process is killed, not left running), abort, a missing binary, the output cap; and kubectl's
// runner turning a hung kubectl into one E_KUBECTL line.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kubectlOk, kubectlRunner } from "../k8s/kubectl.js";
import { describeFailure, runTimedCommand } from "./timed-command.js";

const node = process.execPath;
const tmp = mkdtempSync(join(tmpdir(), "sb-timed-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("runTimedCommand", () => {
  it("captures output and the exit code, and feeds stdin", async () => {
    const r = await runTimedCommand(
      [node, "-e", "process.stdin.pipe(process.stdout); process.stdin.on('end', () => { process.stderr.write('e'); process.exitCode = 3; })"],
      { timeoutMs: 10_000, input: "hello" },
    );
    expect(r).toMatchObject({ code: 3, stdout: "hello", stderr: "e", timedOut: false, aborted: false, truncated: false });
  });

  it("kills a command that outlives its timeout", async () => {
    const r = await runTimedCommand([node, "-e", "console.log(process.pid); setInterval(() => {}, 1000)"], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    expect(alive(Number(r.stdout.trim()))).toBe(false);
    expect(describeFailure(r, 300)).toMatch(/did not finish within 0 s \(killed\)/);
  });

  it("stops on abort", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const r = await runTimedCommand([node, "-e", "setInterval(() => {}, 1000)"], { timeoutMs: 30_000, signal: controller.signal });
    expect(r).toMatchObject({ aborted: true, timedOut: false, code: null });
  });

  it("reports a binary that does not exist instead of throwing", async () => {
    const r = await runTimedCommand(["/nonexistent/kubectl", "version"], { timeoutMs: 5000 });
    expect(r.startError).toMatch(/ENOENT/);
    expect(describeFailure(r, 5000)).toMatch(/could not start/);
  });

  it("keeps at most maxOutputBytes of output", async () => {
    const r = await runTimedCommand([node, "-e", "process.stdout.write('x'.repeat(100000))"], { timeoutMs: 10_000, maxOutputBytes: 1000 });
    expect(r.stdout).toHaveLength(1000);
    expect(r.truncated).toBe(true);
  });
});

describe("kubectlRunner", () => {
  it("a kubectl that hangs fails with E_KUBECTL naming the time bound", async () => {
    const fake = join(tmp, "kubectl");
    writeFileSync(fake, `#!${node}\nsetInterval(() => {}, 1000);\n`);
    chmodSync(fake, 0o755);
    const err = await kubectlOk(kubectlRunner(fake), ["get", "job", "x"], undefined, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "E_KUBECTL" });
    expect((err as Error).message).toMatch(/kubectl get job x did not finish within/);
  });

  it("a missing kubectl is E_KUBECTL", async () => {
    await expect(kubectlRunner("/nonexistent/kubectl")(["version"])).rejects.toMatchObject({ code: "E_KUBECTL" });
  });
});
