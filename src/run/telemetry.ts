// Owns the run's server-side view: readiness wait, env.json, /metrics scraping across levels,
// and each level's `server` summary and client-vs-server cross-check. Telemetry failures are
// recorded, never fatal.

import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { describePowerSource, levelEnergy, parsePowerFlag, PowerSampler, resolvePowerSource } from "../telemetry/power.js";
import { redactJson } from "../config/redact.js";
import type { RunConfig } from "../config/run-config.js";
import { probeRequest } from "../client/probe-request.js";
import { monotonicNowMs } from "../clock.js";
import type { LevelSummary } from "../metrics/level.js";
import { crossCheck } from "../telemetry/cross-check.js";
import { captureEnvironment } from "../telemetry/environment.js";
import { waitReady } from "../telemetry/readiness.js";
import { MetricsScraper } from "../telemetry/scraper.js";
import { summarizeWindow } from "../telemetry/window.js";
import type { ServedTokens } from "./level-extras.js";
import type { ProgressListener } from "./progress.js";

export class Telemetry {
  private scraper: MetricsScraper | undefined;
  /** Why scraping stopped for good (the server has no /metrics), for every level's warnings. */
  private absent: string | undefined;
  private rttMs = 0;
  private seenOk = false;
  /** The first failed scrape's reason (said once on the console, then in each level's warnings). */
  private scrapeFailure: string | undefined;
  private scrapeFailures = 0;
  private power: PowerSampler | undefined;
  readyAfterMs: number | undefined;

  constructor(
    private readonly config: RunConfig,
    private readonly baseUrl: string,
    private readonly dir: string,
    private readonly emit: ProgressListener,
  ) {}

  private get metricsUrl(): string {
    return this.config.metricsUrl ?? `${this.baseUrl.replace(/\/v1\/?$/, "")}/metrics`;
  }

  async waitReady(signal?: AbortSignal): Promise<void> {
    if (this.config.waitReadyMs <= 0) return;
    const result = await waitReady(this.baseUrl, {
      timeoutMs: this.config.waitReadyMs,
      ...(signal === undefined ? {} : { signal }),
      onProgress: (p) => this.emit({ kind: "info", message: `waiting for ${p.stage} (${(p.elapsedMs / 1000).toFixed(0)} s): ${p.lastError}` }),
    });
    this.readyAfterMs = result.readyAfterMs;
    this.emit({ kind: "info", message: `server ready after ${(result.readyAfterMs / 1000).toFixed(1)} s` });
  }

  async captureEnvironment(config: RunConfig, model: string): Promise<void> {
    const env = await captureEnvironment({
      config: { ...config, model },
      baseUrl: this.baseUrl,
      ...(config.serverCmd === undefined ? {} : { serverCmd: config.serverCmd }),
      ...(config.gpuInfoCmd === undefined ? {} : { gpuInfoCmd: config.gpuInfoCmd }),
    });
    const { writeFileRedacted } = await import("../report/run-dir.js");
    writeFileRedacted(join(this.dir, "env.json"), `${JSON.stringify(redactJson(env), null, 2)}\n`);
  }

  /** Minimum of a few GET /health round trips: how much of client TTFT is network. */
  async measureRtt(signal?: AbortSignal): Promise<number> {
    const url = `${this.baseUrl.replace(/\/v1\/?$/, "")}/health`;
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = monotonicNowMs();
      try {
        await probeRequest(url, { totalTimeoutMs: 2000, connectTimeoutMs: 1000, maxBodyBytes: 64 * 1024, ...(signal === undefined ? {} : { signal }) });
        best = Math.min(best, monotonicNowMs() - t0);
      } catch {
        break;
      }
    }
    this.rttMs = Number.isFinite(best) ? best : 0;
    return this.rttMs;
  }

  /** Starts polling /metrics; `signal` (the run's) stops it at once, a scrape in flight included. */
  start(originMs: number, signal?: AbortSignal): void {
    if (!this.config.metrics) return;
    signal?.addEventListener("abort", () => this.scraper?.interrupt(), { once: true });
    this.scraper = new MetricsScraper({
      url: this.metricsUrl,
      intervalMs: this.config.metricsIntervalMs,
      out: join(this.dir, "metrics.jsonl"),
      originMs,
      onScrape: (scrape) => {
        if (scrape.ok) this.seenOk = true;
        // A 404 before any success: the server has no Prometheus endpoint (vLLM.rs, many gateways);
        // a 501: it has one, switched off (llama-server without --metrics). Polling either is noise.
        else if (!this.seenOk && this.absent === undefined && /^HTTP (404|501)\b/.test(scrape.error)) {
          const why = scrape.error.startsWith("HTTP 501") ? "HTTP 501: not enabled; llama.cpp: start llama-server with --metrics" : "HTTP 404";
          this.absent = `the server has no ${this.metricsUrl} (${why}): server-side columns stay empty (--metrics-url names another endpoint, --no-metrics skips scraping)`;
          this.emit({ kind: "info", message: `${this.absent}; scraping stopped` });
          void this.scraper?.stop({ finalScrape: false }).catch(() => undefined);
        } else if (this.absent === undefined) {
          this.scrapeFailures++;
          if (this.scrapeFailure === undefined) {
            this.scrapeFailure = scrape.error;
            this.emit({
              kind: "info",
              message: `warning: scraping ${this.metricsUrl} failed (${scrape.error}): server-side columns may stay empty (said once; --no-metrics skips scraping)`,
            });
          }
        }
      },
    });
    this.scraper.start();
  }

  /** Scrapes now so the level's window has a tight edge. */
  async mark(): Promise<void> {
    if (this.absent !== undefined) return; // an interrupted scraper answers at once, sending nothing
    await this.scraper?.scrapeNow();
  }

  /**
   * `served`: the tokens the server must have counted for the level's requests, failed ones
   * included (serverCountedTokens), for engines whose counters lag and are checked on totals, and
   * the TTFT median over those requests, which the server's histogram holds.
   */
  addToLevel(summary: LevelSummary, startMs: number, endMs: number, served?: ServedTokens): void {
    this.addEnergy(summary, startMs, endMs);
    if (!this.scraper) return;
    if (this.absent !== undefined) summary.warnings.push(this.absent);
    else if (this.scrapeFailure !== undefined)
      summary.warnings.push(
        `${this.scrapeFailures} /metrics scrapes failed so far in the run (first: ${this.scrapeFailure}): server-side columns may be incomplete`,
      );
    const server = summarizeWindow(this.scraper.scrapes(), startMs, endMs);
    summary.server = server;
    const warnings = crossCheck({
      // What the server generated includes the tokens of failed and cancelled requests.
      clientGenerationTokensPerSec: served !== undefined && summary.duration_s > 0 ? served.outputTokens / summary.duration_s : summary.output_tokens_per_s,
      serverGenerationTokensPerSec: server.generation_tokens_per_s,
      // The server's TTFT histogram holds cancelled and failed streams that got a first token too.
      clientTtftP50Ms: served?.ttftP50Ms !== undefined ? served.ttftP50Ms : (summary.ttft_ms?.median ?? null),
      serverTtftP50Ms: server.ttft_ms.p50,
      serverTtftP50BucketMs: server.ttft_p50_bucket_ms,
      rttMs: this.rttMs,
      countersLag: server.counters_lag,
      clientOutputTokens: served?.outputTokens ?? summary.output_tokens_total,
      clientOutputTokensMax: served?.outputTokensMax ?? null,
      serverGenerationTokens: server.generation_tokens,
      clientInputTokens: served?.inputTokens ?? summary.input_tokens_total,
      clientInputTokensMax: served?.inputTokensMax ?? null,
      serverPromptTokens: server.prompt_tokens,
    });
    if (warnings.length > 0) summary.cross_check = warnings;
  }

  async stop(): Promise<void> {
    await this.scraper?.stop();
    await this.power?.stop();
  }

  /**
   * Starts sampling GPU power (--power; auto: the local vendor tool when the target is on this
   * machine). Each sample is appended to power.jsonl; a source that cannot be read is said once.
   */
  async startPower(originMs: number): Promise<void> {
    const flag = parsePowerFlag(this.config.power);
    const host = new URL(this.baseUrl).hostname;
    const local = host === "localhost" || host === "[::1]" || host === "::1" || host.startsWith("127.");
    const source = await resolvePowerSource(flag, local);
    if (source === undefined) return;
    const out = join(this.dir, "power.jsonl");
    this.power = new PowerSampler(source, this.config.metricsIntervalMs, originMs, (s) => appendFileSync(out, `${JSON.stringify(s)}\n`));
    await this.power.sampleNow();
    if (this.power.samples.length === 0)
      this.emit({
        kind: "info",
        message: `GPU power (${describePowerSource(source)}) cannot be read: ${this.power.lastError ?? "no reading"}; energy columns stay empty`,
      });
    this.power.start();
  }

  /** A level's `energy` from the power samples inside its window. */
  private addEnergy(summary: LevelSummary, startMs: number, endMs: number): void {
    if (this.power === undefined) return;
    const energy = levelEnergy(this.power.samples, startMs, endMs, summary.duration_s, summary.output_tokens_total, this.power.source);
    if (energy !== undefined) summary.energy = energy;
    else
      summary.warnings.push(
        `no GPU power sample in this level (${describePowerSource(this.power.source)}${this.power.lastError === undefined ? "" : `: ${this.power.lastError}`}); a level shorter than --metrics-interval has none`,
      );
  }
}
