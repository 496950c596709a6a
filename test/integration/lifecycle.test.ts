// Lifecycle holes, each reproduced before its fix: a run directory that cannot be created must not
// leak the embedded simulator; an abort during --wait-ready stops the wait; SIGTERM to
// `run --distributed local:N` leaves no shard, simulator or barrier directory behind.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runBenchmark } from "../../src/run/run-benchmark.js";
import { BenchError } from "../../src/errors.js";
import { CLI } from "../helpers/cli.js";
import { alive, childPids, waitFor } from "../helpers/processes.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-lifecycle-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Listening TCP servers in this process (the embedded simulator is one). */
function tcpServers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
}

/**
 * `run --distributed local:2` of long streams (so it is mid-run when signalled), its stderr
 * collected; `ownGroup` puts it in its own process group, as a shell job is.
 */
function spawnDistributed(name: string, ownGroup: boolean) {
  const out = join(tmp, name);
  const args = ["run", "--distributed", "local:2", "--concurrency", "2", "--requests", "100000", "--input-tokens", "8", "--output-tokens", "64"];
  args.push("--sim-per-token-ms", "20", "--no-metrics", "--quiet", "--out", out);
  const parent = spawn(process.execPath, [CLI, ...args], {
    detached: ownGroup,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SERVEBENCH_START_DELAY: "2s" },
  });
  let stderr = "";
  parent.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  parent.stdout.resume();
  const exited = new Promise<number | null>((r) => parent.on("close", (code) => r(code)));
  return { parent, pid: parent.pid as number, exited, stderr: (): string => stderr, out };
}

describe("lifecycle", () => {
  it("closes the embedded simulator when the run directory cannot be created", async () => {
    const before = tcpServers();
    const err = await runBenchmark({
      out: "/dev/null/x",
      concurrency: [1],
      requests: { kind: "count", n: 1 },
      inputTokens: 8,
      outputTokens: 2,
      metrics: false,
      sim: { timing: "simple" },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BenchError);
    expect((err as BenchError).code).toBe("E_IO");
    // A closed server's handle goes on the next turn of the event loop; a leaked one stays.
    await waitFor(() => tcpServers() === before, 2000).catch(() => undefined);
    expect(tcpServers()).toBe(before);
  });

  it("an abort during --wait-ready stops the wait at once", async () => {
    // Accepts connections and never answers: every readiness probe waits out its own timeout.
    const sockets: Array<import("node:net").Socket> = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    try {
      const err = await runBenchmark(
        {
          url: `http://127.0.0.1:${port}`,
          model: "m",
          waitReadyMs: 120_000,
          out: join(tmp, "wait-ready"),
          concurrency: [1],
          requests: { kind: "count", n: 1 },
          inputTokens: 8,
          outputTokens: 2,
          metrics: false,
        },
        { signal: controller.signal },
      ).catch((e: unknown) => e);
      // Before the fix the wait ignored the signal and ran to its 120 s deadline (E_UNREACHABLE).
      expect((err as BenchError).code).toBe("E_INTERRUPTED");
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  }, 20_000);

  it("Ctrl-C during run --wait-ready exits 130 at once, naming the interruption", async () => {
    const sockets: Array<import("node:net").Socket> = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    const child = spawn(
      process.execPath,
      [CLI, "run", "--url", `http://127.0.0.1:${port}`, "--model", "m", "--wait-ready", "10m", "--requests", "1", "--out", join(tmp, "cli-wait")],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    try {
      // The first readiness probe is on the wire: the server has a connection.
      await waitFor(() => sockets.length > 0, 20_000);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(stderr).toMatch(/interrupted|stopping start-up/);
    } finally {
      if (alive(child.pid as number)) child.kill("SIGKILL");
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  }, 30_000);

  it("Ctrl-C (SIGINT to the whole process group) on run --distributed local:2 merges what the shards finished", async () => {
    // A terminal's Ctrl-C reaches the coordinator, its simulator and its shards at once. Each shard
    // must stop once (on the coordinator's SIGTERM), not take that SIGTERM as a second Ctrl-C and
    // quit without writing, which left nothing to merge.
    const { parent, pid, exited, stderr, out } = spawnDistributed("distributed-ctrl-c", true);
    let children: number[] = [];
    try {
      await waitFor(() => childPids(pid).length === 3 && /shard processes start at/.test(stderr()), 30_000);
      const shardRecords = (i: number): string => join(out, "shards", `shard-${i}`, "requests.jsonl");
      await waitFor(() => [0, 1].every((i) => existsSync(shardRecords(i)) && readFileSync(shardRecords(i), "utf8").length > 0), 30_000);
      children = childPids(pid);
      process.kill(-pid, "SIGINT");
      expect(await exited).toBe(130);
      await waitFor(() => children.every((c) => !alive(c)), 10_000).catch(() => undefined);
      expect(children.filter(alive)).toEqual([]);
      expect(stderr()).not.toMatch(/cannot merge/);
      expect(stderr()).toMatch(/continue with: servebench run --resume/);
      const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
        run: { interrupted: boolean };
        levels: Array<{ requests: { sent: number } }>;
      };
      expect(summary.run.interrupted).toBe(true);
      expect(summary.levels[0]?.requests.sent).toBeGreaterThan(0);
    } finally {
      if (alive(pid)) process.kill(-pid, "SIGKILL");
      for (const c of children) if (alive(c)) process.kill(c, "SIGKILL");
    }
  }, 60_000);

  it("SIGTERM to run --distributed local:2 stops the shards and the simulator and removes the barrier directory", async () => {
    const { parent, pid, exited, stderr, out } = spawnDistributed("distributed", false);
    let children: number[] = [];
    try {
      // The simulator and both shards are running and sending requests.
      await waitFor(() => childPids(pid).length === 3 && /shard processes start at/.test(stderr()), 30_000);
      await waitFor(
        () => existsSync(join(out, "shards", "shard-0", "requests.jsonl")) && readFileSync(join(out, "shards", "shard-0", "requests.jsonl"), "utf8").length > 0,
        30_000,
      );
      children = childPids(pid);
      const barrier = children.map((c) => /--barrier-dir\0([^\0]+)/.exec(readFileSync(`/proc/${c}/cmdline`, "utf8"))?.[1]).find((d) => d !== undefined);
      expect(barrier).toBeDefined();
      parent.kill("SIGTERM");
      const code = await exited;
      expect(code).toBe(130);
      await waitFor(() => children.every((c) => !alive(c)), 10_000).catch(() => undefined);
      expect(children.filter(alive)).toEqual([]);
      expect(existsSync(barrier as string)).toBe(false);
      // What the shards finished is merged and marked interrupted.
      expect((JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { run: { interrupted: boolean } }).run.interrupted).toBe(true);
      expect(stderr()).not.toMatch(/internal error|\n\s+at /);
    } finally {
      // Whatever happened above, nothing this test started outlives it.
      if (alive(pid)) parent.kill("SIGKILL");
      for (const c of [...children, ...childPids(pid)]) if (alive(c)) process.kill(c, "SIGKILL");
    }
  }, 60_000);
});
