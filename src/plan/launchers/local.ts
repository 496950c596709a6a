// Owns the `local` launcher: an argv (no shell) started in its own process group with output to
// server.log, `${port}` filled with a free port checked before start, ready when /health and
// /v1/models answer 200; stopped with SIGTERM to the group, SIGKILL after the grace period.

import { closeSync } from "node:fs";
import { join } from "node:path";
import { isBenchError } from "../../errors.js";
import { waitReady } from "../../telemetry/readiness.js";
import { MARKER_ENV, newMarker, processEntry } from "../pid-registry.js";
import type { LocalServerSpec } from "../plan-schema.js";
import { freePort, portProblem } from "../port.js";
import { killGroupNow, spawnGroup, stopGroup, type SpawnedGroup } from "../process-group.js";
import { ServerLog } from "../server-log.js";
import { expandValue, type Scope } from "../variables.js";
import { LaunchError, shellQuote, type LaunchContext, type Launcher, type RunningServer } from "./launcher.js";

export function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

export const localLauncher: Launcher<LocalServerSpec> = {
  async start(spec, ctx) {
    const port = spec.port === "auto" ? await freePort(spec.host) : spec.port;
    const problem = await portProblem(spec.host, port);
    if (problem !== undefined) throw new LaunchError(problem);
    const scope: Scope = { vars: new Map([["port", port]]), env: {}, final: true };
    const argv = (expandValue(spec.command, scope, [], []) as unknown[]).map(String);
    const env = Object.fromEntries(Object.entries(spec.env ?? {}).map(([k, v]) => [k, String(expandValue(String(v), scope, [], []))]));
    const baseUrl = String(expandValue(spec.url ?? `http://${urlHost(spec.host)}:${port}`, scope, [], [])).replace(/\/+$/, "");
    const log = new ServerLog(join(ctx.instanceDir, "server.log"));
    const fd = log.openForChild();
    let group: SpawnedGroup;
    const marker = newMarker();
    const childEnv = { ...(spec.inheritEnv ? { ...process.env, ...env } : env), [MARKER_ENV]: marker };
    try {
      group = await spawnGroup(argv, { cwd: spec.cwd ?? process.cwd(), env: childEnv, logFd: fd });
    } catch (error) {
      throw new LaunchError((error as Error).message);
    } finally {
      closeSync(fd);
    }
    ctx.registry.add(processEntry(group.pid, ctx.name, marker));
    ctx.emit(`started ${ctx.name} (pid ${group.pid}): ${shellQuote(argv)}`);
    const server = new LocalServer(baseUrl, shellQuote(argv), group, log, spec.stopGraceMs, ctx);
    try {
      await server.waitUntilReady(spec.readyTimeoutMs);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  },
};

class LocalServer implements RunningServer {
  readonly died: Promise<string>;
  private stopped = false;

  constructor(
    readonly baseUrl: string,
    readonly commandLine: string,
    private readonly group: SpawnedGroup,
    private readonly log: ServerLog,
    private readonly stopGraceMs: number,
    private readonly ctx: LaunchContext,
  ) {
    this.died = group.exited.then((reason) => `server process ${reason}`);
  }

  async waitUntilReady(timeoutMs: number): Promise<void> {
    const exited = new AbortController();
    void this.group.exited.then(() => exited.abort());
    let lastReportMs = performance.now();
    try {
      const ready = await waitReady(this.baseUrl, {
        timeoutMs,
        signal: AbortSignal.any([this.ctx.signal, exited.signal]),
        onProgress: (p) => {
          if (performance.now() - lastReportMs < 10_000) return;
          lastReportMs = performance.now();
          this.ctx.emit(`waiting for ${this.ctx.name} (${(p.elapsedMs / 1000).toFixed(0)} s): ${p.lastError}`);
        },
      });
      this.ctx.emit(`${this.ctx.name} ready after ${(ready.readyAfterMs / 1000).toFixed(1)} s at ${this.baseUrl}`);
    } catch (error) {
      if (this.group.hasExited()) throw new LaunchError(`server process ${await this.group.exited} before it was ready`, this.log.tail(50));
      if (this.ctx.signal.aborted || !isBenchError(error)) throw error;
      throw new LaunchError(error.message, this.log.tail(50));
    }
    if (this.group.hasExited()) {
      throw new LaunchError(`server process ${await this.group.exited} although ${this.baseUrl} answered: is another server on that port?`, this.log.tail(50));
    }
  }

  beforeCell(): Promise<void> {
    return Promise.resolve();
  }

  collectLog(path: string): Promise<void> {
    this.log.collect(path);
    return Promise.resolve();
  }

  tail(lines: number): Promise<string[]> {
    return Promise.resolve(this.log.tail(lines));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const result = await stopGroup(this.group.pid, this.stopGraceMs);
    this.log.scrub();
    if (result.forced) this.ctx.emit(`${this.ctx.name} did not stop within ${this.stopGraceMs} ms of SIGTERM: sent SIGKILL`);
    if (result.survivors.length > 0) this.ctx.emit(`warning: ${this.ctx.name}: processes ${result.survivors.join(", ")} survived SIGKILL`);
    else this.ctx.registry.remove((e) => e.kind === "process" && e.pid === this.group.pid);
  }

  killNow(): void {
    killGroupNow(this.group.pid);
  }
}
