// Owns the `existing` launcher: a URL servebench does not manage. It waits for readiness, sends
// the optional reset request between cells (e.g. vLLM's POST /reset_prefix_cache) and never stops it.

import { writeFileSync } from "node:fs";
import { request } from "undici";
import { isBenchError } from "../../errors.js";
import { waitReady } from "../../telemetry/readiness.js";
import type { ExistingServerSpec } from "../plan-schema.js";
import { LaunchError, type Launcher, type RunningServer } from "./launcher.js";

export const existingLauncher: Launcher<ExistingServerSpec> = {
  async start(spec, ctx) {
    const baseUrl = spec.url.replace(/\/+$/, "");
    try {
      await waitReady(baseUrl, { timeoutMs: spec.readyTimeoutMs, signal: ctx.signal });
    } catch (error) {
      if (ctx.signal.aborted || !isBenchError(error)) throw error;
      throw new LaunchError(error.message);
    }
    ctx.emit(`${ctx.name}: using ${baseUrl} (not managed by servebench)`);
    return new ExistingServer(baseUrl, spec);
  },
};

class ExistingServer implements RunningServer {
  // An unmanaged server has no process to watch; the health watchdog covers it.
  readonly died = new Promise<string>(() => {});
  readonly commandLine: string;

  constructor(
    readonly baseUrl: string,
    private readonly spec: ExistingServerSpec,
  ) {
    this.commandLine = `existing server at ${baseUrl}`;
  }

  async beforeCell(): Promise<void> {
    const reset = this.spec.reset;
    if (reset === undefined) return;
    const url = new URL(reset.path, `${this.baseUrl.replace(/\/v1$/, "")}/`);
    try {
      const res = await request(url, {
        method: reset.method,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
        ...(reset.body === undefined ? {} : { body: JSON.stringify(reset.body), headers: { "content-type": "application/json" } }),
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    } catch (error) {
      throw new LaunchError(`reset ${reset.method} ${url.pathname} failed: ${(error as Error).message}`);
    }
  }

  collectLog(path: string): Promise<void> {
    writeFileSync(path, `servebench does not manage ${this.baseUrl}; its log is wherever that server writes it\n`);
    return Promise.resolve();
  }

  tail(): Promise<string[]> {
    return Promise.resolve([]);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  killNow(): void {}
}
