// Owns the `kubernetes` launcher: `helm upgrade --install` a chart (values from the cell) or
// `kubectl apply` a rendered manifest, `kubectl rollout status`, readiness through a Service URL
// or `kubectl port-forward`, pod logs per cell, and deletion at the end. Uses the user's kubectl,
// helm and kube context through an injectable CommandRunner; the exact argv is built by
// kubernetesCommands() so it can be documented and tested.

import { closeSync, openSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { stringify } from "yaml";
import { isBenchError } from "../../errors.js";
import { waitReady } from "../../telemetry/readiness.js";
import { MARKER_ENV, newMarker, processEntry } from "../pid-registry.js";
import type { KubernetesServerSpec } from "../plan-schema.js";
import { freePort } from "../port.js";
import { killGroupNow, stopGroup, type SpawnedGroup } from "../process-group.js";
import { tailLines } from "../server-log.js";
import type { CommandRunner } from "./command-runner.js";
import { LaunchError, shellQuote, type LaunchContext, type Launcher, type RunningServer } from "./launcher.js";

export interface KubernetesCommands {
  install: string[];
  rollout: string[][];
  portForward?: (localPort: number) => string[];
  logs?: (sinceIso: string | undefined, tail: number | undefined) => string[];
  cleanup: string[][];
}

/** Every command the launcher runs for `spec`; files (values.yaml, manifest.yaml) live in `dir`. */
export function kubernetesCommands(spec: KubernetesServerSpec, dir: string): KubernetesCommands {
  const ns = ["--namespace", spec.namespace];
  const kctx = spec.context === undefined ? [] : ["--context", spec.context];
  const kubectl = (...args: string[]): string[] => [spec.kubectl, ...kctx, ...args];
  const waitS = `${Math.ceil(spec.readyTimeoutMs / 1000)}s`;
  let install: string[];
  let cleanup: string[][];
  if (spec.helm !== undefined) {
    const h = spec.helm;
    const hctx = spec.context === undefined ? [] : ["--kube-context", spec.context];
    install = [
      spec.helmBin,
      "upgrade",
      "--install",
      h.release,
      h.chart,
      ...ns,
      "--create-namespace",
      ...hctx,
      ...(h.version === undefined ? [] : ["--version", h.version]),
      ...(h.valuesFiles ?? []).flatMap((f) => ["-f", f]),
      "-f",
      join(dir, "values.yaml"),
      ...(h.args ?? []),
    ];
    cleanup = [[spec.helmBin, "uninstall", h.release, ...ns, ...hctx, "--wait", `--timeout=${Math.ceil(spec.stopGraceMs / 1000)}s`]];
  } else {
    const manifest = join(dir, "manifest.yaml");
    install = kubectl("apply", ...ns, "-f", manifest);
    cleanup = [kubectl("delete", ...ns, "-f", manifest, "--ignore-not-found=true", "--wait=true", `--timeout=${Math.ceil(spec.stopGraceMs / 1000)}s`)];
  }
  const rolloutTargets = spec.rollout ?? (spec.helm === undefined ? [] : [`deployment/${spec.helm.release}`]);
  const logTarget = spec.logs?.selector === undefined ? (spec.logs?.resource ?? rolloutTargets[0]) : undefined;
  const out: KubernetesCommands = {
    install,
    rollout: rolloutTargets.map((r) => kubectl("rollout", "status", r, ...ns, `--timeout=${waitS}`)),
    cleanup,
  };
  if (spec.portForward !== undefined) {
    const pf = spec.portForward;
    out.portForward = (localPort) => kubectl("port-forward", ...ns, pf.resource, `${localPort}:${pf.port}`);
  }
  if (spec.logs?.selector !== undefined || logTarget !== undefined) {
    const which = spec.logs?.selector === undefined ? [logTarget ?? ""] : ["-l", spec.logs.selector];
    out.logs = (since, tail) =>
      kubectl(
        "logs",
        ...ns,
        ...which,
        "--all-containers=true",
        "--prefix=true",
        `--tail=${tail ?? -1}`,
        ...(since === undefined ? [] : [`--since-time=${since}`]),
      );
  }
  return out;
}

const lastLines = (text: string, n: number): string[] => text.trimEnd().split("\n").slice(-n);

export const kubernetesLauncher: Launcher<KubernetesServerSpec> = {
  async start(spec, ctx) {
    const commands = kubernetesCommands(spec, ctx.instanceDir);
    // What helm/kubectl apply, with ${env:…} expanded: the one place values are not redacted, so owner-only.
    if (spec.helm !== undefined) writeFileSync(join(ctx.instanceDir, "values.yaml"), stringify(spec.helm.values ?? {}), { mode: 0o600 });
    else writeFileSync(join(ctx.instanceDir, "manifest.yaml"), ctx.manifestText ?? "", { mode: 0o600 });
    // Recorded before anything is created, so a killed run's --resume deletes it.
    // Names only: a resume derives the cleanup commands from the plan, never from pids.json.
    const entry = { kind: "kubernetes" as const, server: ctx.name, instance: basename(ctx.instanceDir), startedAt: new Date().toISOString() };
    ctx.registry.add(entry);
    const server = new KubernetesServer(spec, commands, ctx, () => ctx.registry.remove((e) => e === entry));
    try {
      await server.deploy();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  },
};

class KubernetesServer implements RunningServer {
  baseUrl = "";
  readonly commandLine: string;
  readonly died: Promise<string>;
  private forward: SpawnedGroup | undefined;
  private diedResolve: (reason: string) => void = () => {};
  private stopped = false;
  private logsCollected = false;

  constructor(
    private readonly spec: KubernetesServerSpec,
    private readonly commands: KubernetesCommands,
    private readonly ctx: LaunchContext,
    private readonly forget: () => void,
  ) {
    this.commandLine = shellQuote(commands.install);
    this.died = new Promise((resolve) => (this.diedResolve = resolve));
  }

  private runner(): CommandRunner {
    return this.ctx.runner;
  }

  private async must(argv: string[], what: string, timeoutMs: number): Promise<void> {
    this.ctx.emit(`${this.ctx.name}: ${shellQuote(argv)}`);
    const result = await this.runner().run(argv, { timeoutMs });
    if (result.code !== 0) {
      const detail = lastLines(`${result.stderr}\n${result.stdout}`.trim(), 3).join(" | ");
      throw new LaunchError(`${what} failed (exit ${String(result.code)}): ${detail}`, await this.tail(50));
    }
  }

  async deploy(): Promise<void> {
    const deadline = performance.now() + this.spec.readyTimeoutMs;
    const left = (): number => Math.max(1000, deadline - performance.now());
    await this.must(this.commands.install, this.spec.helm === undefined ? "kubectl apply" : "helm upgrade --install", left());
    for (const argv of this.commands.rollout) await this.must(argv, "kubectl rollout status", left() + 5000);
    if (this.commands.portForward !== undefined) {
      const localPort = await freePort("127.0.0.1");
      const argv = this.commands.portForward(localPort);
      const fd = openSync(join(this.ctx.instanceDir, "port-forward.log"), "a");
      const marker = newMarker();
      try {
        this.forward = await this.runner().spawnLong(argv, { logFd: fd, cwd: this.ctx.instanceDir, env: { ...process.env, [MARKER_ENV]: marker } });
      } catch (error) {
        throw new LaunchError(`kubectl port-forward: ${(error as Error).message}`);
      } finally {
        closeSync(fd);
      }
      this.ctx.registry.add(processEntry(this.forward.pid, `${this.ctx.name} port-forward`, marker));
      void this.forward.exited.then((reason) => this.diedResolve(`kubectl port-forward ${reason}`));
      this.baseUrl = `http://127.0.0.1:${localPort}`;
    } else {
      this.baseUrl = (this.spec.url ?? "").replace(/\/+$/, "");
    }
    const gone = new AbortController();
    void this.died.then(() => gone.abort());
    try {
      await waitReady(this.baseUrl, { timeoutMs: left(), signal: AbortSignal.any([this.ctx.signal, gone.signal]) });
    } catch (error) {
      if (gone.signal.aborted) throw new LaunchError(`${await this.died} before the server was ready`, await this.tail(50));
      if (this.ctx.signal.aborted || !isBenchError(error)) throw error;
      throw new LaunchError(error.message, await this.tail(50));
    }
    this.ctx.emit(`${this.ctx.name} ready at ${this.baseUrl}`);
  }

  beforeCell(): Promise<void> {
    return Promise.resolve();
  }

  /** Pod logs: everything for the first cell on this deployment, then since the cell started. */
  async collectLog(path: string, sinceIso: string): Promise<void> {
    if (this.commands.logs === undefined) {
      writeFileSync(path, "no pod logs: set logs.selector or rollout in the server spec\n");
      return;
    }
    const argv = this.commands.logs(this.logsCollected ? sinceIso : undefined, undefined);
    this.logsCollected = true;
    const result = await this.runner().run(argv, { timeoutMs: 60_000 });
    writeFileSync(path, result.code === 0 ? result.stdout : `${shellQuote(argv)} failed (exit ${String(result.code)}):\n${result.stderr}`);
  }

  async tail(lines: number): Promise<string[]> {
    const forwardLog = tailLines(join(this.ctx.instanceDir, "port-forward.log"), 5).map((l) => `[port-forward] ${l}`);
    if (this.commands.logs === undefined) return forwardLog;
    const result = await this.runner().run(this.commands.logs(undefined, lines), { timeoutMs: 30_000 });
    return [...(result.code === 0 ? lastLines(result.stdout, lines) : [`kubectl logs failed: ${result.stderr.trim()}`]), ...forwardLog];
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.forward !== undefined) {
      await stopGroup(this.forward.pid, 2000);
      const pid = this.forward.pid;
      this.ctx.registry.remove((e) => e.kind === "process" && e.pid === pid);
    }
    for (const argv of this.commands.cleanup) {
      this.ctx.emit(`${this.ctx.name}: ${shellQuote(argv)}`);
      const result = await this.runner().run(argv, { timeoutMs: this.spec.stopGraceMs + 30_000 });
      if (result.code !== 0) this.ctx.emit(`warning: ${shellQuote(argv)} exited ${String(result.code)}: ${result.stderr.trim()}`);
    }
    this.forget();
  }

  killNow(): void {
    if (this.forward !== undefined) killGroupNow(this.forward.pid);
  }
}
