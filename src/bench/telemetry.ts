// Owns the run's server-side view: readiness wait, env.json, /metrics scraping across levels,
// and each level's `server` summary and client-vs-server cross-check. Telemetry failures are
// recorded, never fatal.

import { join } from "node:path";
import type { RunConfig } from "../config/run-config.js";
import type { RequestRecord } from "../client/record.js";
import type { LevelSummary } from "../metrics/level.js";
import { crossCheck } from "../telemetry/cross-check.js";
import { captureEnvironment } from "../telemetry/environment.js";
import { waitReady } from "../telemetry/readiness.js";
import { MetricsScraper } from "../telemetry/scraper.js";
import { summarizeWindow } from "../telemetry/window.js";
import type { ProgressListener } from "./progress.js";

export class Telemetry {
  private scraper: MetricsScraper | undefined;

  constructor(
    private readonly config: RunConfig,
    private readonly baseUrl: string,
    private readonly dir: string,
    private readonly emit: ProgressListener,
  ) {}

  private get metricsUrl(): string {
    return this.config.metricsUrl ?? `${this.baseUrl.replace(/\/v1\/?$/, "")}/metrics`;
  }

  async waitReady(): Promise<void> {
    if (this.config.waitReadyMs <= 0) return;
    const result = await waitReady(this.baseUrl, {
      timeoutMs: this.config.waitReadyMs,
      onProgress: (message: string) => this.emit({ kind: "info", message }),
    });
    this.emit({ kind: "info", message: `server ready after ${(result.waitedMs / 1000).toFixed(1)} s` });
  }

  async captureEnvironment(config: RunConfig, model: string): Promise<void> {
    const env = await captureEnvironment({
      config: { ...config, model },
      baseUrl: this.baseUrl,
      ...(config.serverCmd === undefined ? {} : { serverCmd: config.serverCmd }),
      ...(config.gpuInfoCmd === undefined ? {} : { gpuInfoCmd: config.gpuInfoCmd }),
    });
    const { writeFileAtomic } = await import("../report/run-dir.js");
    writeFileAtomic(join(this.dir, "env.json"), `${JSON.stringify(env, null, 2)}\n`);
  }

  start(originMs: number): void {
    if (!this.config.metrics) return;
    this.scraper = new MetricsScraper({
      url: this.metricsUrl,
      intervalMs: this.config.metricsIntervalMs,
      out: join(this.dir, "metrics.jsonl"),
      originMs,
    });
    this.scraper.start();
  }

  /** Scrapes now so the level's window has a tight edge. */
  async mark(): Promise<void> {
    await this.scraper?.scrapeNow();
  }

  async addToLevel(summary: LevelSummary, records: readonly RequestRecord[], startMs: number, endMs: number): Promise<void> {
    if (!this.scraper) return;
    const server = summarizeWindow(this.scraper.scrapes(), startMs, endMs);
    summary.server = server;
    const warnings = crossCheck({ client: summary, server, records });
    if (warnings.length > 0) summary.cross_check = warnings;
  }

  async stop(): Promise<void> {
    await this.scraper?.stop();
  }
}
