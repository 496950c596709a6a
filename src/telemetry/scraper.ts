// Owns polling the target's /metrics during a run: one scrape per interval, never overlapping,
// each normalised, kept in memory and appended to metrics.jsonl. A failed scrape (timeout, HTTP
// error, unparsable body) is counted and recorded, never thrown: telemetry must not stop a run.

import { open, type FileHandle } from "node:fs/promises";
import { request } from "undici";
import { monotonicNowMs } from "../clock.js";
import { BenchError } from "../errors.js";
import { scrapeJsonLine } from "./metrics-jsonl.js";
import type { Scrape } from "./scrape.js";
import { normalize } from "./normalize.js";
import { parsePrometheusText, type Sample } from "./prometheus.js";

/** One scrape attempt. `tMs` is run-relative: the midpoint of send and response headers. */
export type { Scrape } from "./scrape.js";

export interface MetricsScraperOptions {
  /** Full URL of the exposition, e.g. `http://127.0.0.1:8000/metrics`. */
  url: string;
  /** Default 1000. */
  intervalMs?: number;
  /** Per scrape, headers and body together. Default: the interval, at most 5000. */
  timeoutMs?: number;
  /** Path of metrics.jsonl; omit to keep scrapes in memory only. */
  out?: string;
  /** The run clock origin on the monotonic clock; scrape times are relative to it. */
  originMs: number;
  headers?: Record<string, string>;
  /** Default 32 MiB; a larger body fails the scrape. */
  maxBodyBytes?: number;
  now?: () => number;
  onScrape?: (scrape: Scrape) => void;
}

/**
 * @example
 * const scraper = new MetricsScraper({ url: `${base}/metrics`, out: "run/metrics.jsonl", originMs });
 * scraper.start();
 * // … run levels, calling `await scraper.scrapeNow()` at each level boundary for tight edges …
 * await scraper.stop();
 * summarizeWindow(scraper.scrapes(), level.startMs, level.endMs);
 */
export class MetricsScraper {
  private readonly opts: Required<Pick<MetricsScraperOptions, "intervalMs" | "timeoutMs" | "maxBodyBytes" | "now">> & MetricsScraperOptions;
  private readonly history: Scrape[] = [];
  private failed = 0;
  private running = false;
  /** Stopped: scrapes already queued are dropped, not sent. */
  private closed = false;
  /** Aborts the scrape in flight when the run is interrupted (a silent /metrics must not hold up a Ctrl-C). */
  private readonly cancel = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private nextAtMs = 0;
  /** Serialises scrapes (timer ticks and scrapeNow) so they never overlap. */
  private chain: Promise<unknown> = Promise.resolve();
  private writes: Promise<void> = Promise.resolve();
  private file: Promise<FileHandle> | undefined;
  private writeError: unknown;

  constructor(options: MetricsScraperOptions) {
    const intervalMs = options.intervalMs ?? 1000;
    if (!(intervalMs > 0)) throw new BenchError("E_BAD_CONFIG", `metrics interval must be > 0 ms, got ${intervalMs}`);
    this.opts = {
      ...options,
      intervalMs,
      timeoutMs: Math.ceil(options.timeoutMs ?? Math.min(intervalMs, 5000)),
      maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024,
      now: options.now ?? monotonicNowMs,
    };
  }

  /** Failed scrapes so far. */
  get failures(): number {
    return this.failed;
  }

  /** Every scrape so far (successful and failed), oldest first. */
  scrapes(): readonly Scrape[] {
    return [...this.history];
  }

  /** Scrapes at once, then every interval; missed ticks are skipped, not bunched. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.nextAtMs = this.opts.now();
    this.tick();
  }

  /** A scrape that starts after every earlier one finished: use it to pin a level's edges. */
  scrapeNow(): Promise<Scrape> {
    const next = this.chain.then(() => this.scrapeOnce());
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Stops polling, takes one last scrape (so the last level's end is bracketed) unless
   * `finalScrape` is false, and flushes metrics.jsonl. Rejects with E_IO if it could not be written.
   */
  async stop(options: { finalScrape?: boolean } = {}): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    clearTimeout(this.timer);
    if (this.cancel.signal.aborted) this.closed = true; // interrupted: no last scrape, nothing left to wait for
    if (wasRunning && options.finalScrape !== false) await this.scrapeNow();
    this.closed = true;
    await this.chain;
    await this.writes;
    if (this.file !== undefined) {
      const file = this.file;
      this.file = undefined;
      await file.then((fh) => fh.close()).catch(() => undefined);
    }
    if (this.writeError !== undefined) {
      throw new BenchError("E_IO", `could not write ${this.opts.out ?? "metrics.jsonl"}: ${String(this.writeError)}`, {
        cause: this.writeError,
        where: this.opts.out ?? "metrics.jsonl",
      });
    }
  }

  /** Stops at once: the scrape in flight is aborted and no other starts (for an interrupted run). */
  interrupt(): void {
    this.running = false;
    this.closed = true;
    clearTimeout(this.timer);
    this.cancel.abort(new Error("interrupted"));
  }

  private tick(): void {
    if (!this.running) return;
    const next = (): void => this.schedule();
    this.scrapeNow().then(next, next);
  }

  private schedule(): void {
    if (!this.running) return;
    const now = this.opts.now();
    while (this.nextAtMs <= now) this.nextAtMs += this.opts.intervalMs;
    this.timer = setTimeout(() => this.tick(), this.nextAtMs - now);
    this.timer.unref();
  }

  private async scrapeOnce(): Promise<Scrape> {
    const { now, originMs } = this.opts;
    const sentMs = now();
    if (this.closed) return { ok: false, tMs: sentMs - originMs, durationMs: 0, error: "scraper stopped" };
    let scrape: Scrape;
    let samples: Sample[] | null = null;
    try {
      const { body, headersMs } = await this.fetchBody();
      samples = parsePrometheusText(body).samples;
      if (samples.length === 0) throw new Error("empty exposition (no samples)");
      const snapshot = normalize(samples);
      scrape = { ok: true, tMs: (sentMs + headersMs) / 2 - originMs, durationMs: now() - sentMs, snapshot };
    } catch (error) {
      this.failed += 1;
      samples = null;
      scrape = { ok: false, tMs: sentMs - originMs, durationMs: now() - sentMs, error: describe(error, this.opts.timeoutMs) };
    }
    this.history.push(scrape);
    this.append(scrapeJsonLine(scrape, Date.now(), samples));
    try {
      this.opts.onScrape?.(scrape);
    } catch {
      // a display callback must not stop telemetry
    }
    return scrape;
  }

  private async fetchBody(): Promise<{ body: string; headersMs: number }> {
    const { url, timeoutMs, maxBodyBytes, headers } = this.opts;
    const res = await request(url, {
      method: "GET",
      // Plain 0.0.4 text: prometheus_client would otherwise be free to answer in OpenMetrics.
      headers: { accept: "text/plain; version=0.0.4", ...headers },
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.cancel.signal]),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const headersMs = this.opts.now();
    if (res.statusCode !== 200) {
      const snippet = (await res.body.text().catch(() => "")).slice(0, 120).replace(/\s+/g, " ");
      throw new Error(`HTTP ${res.statusCode}${snippet === "" ? "" : `: ${snippet}`}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > maxBodyBytes) {
        res.body.destroy();
        throw new Error(`body larger than ${maxBodyBytes} bytes`);
      }
      chunks.push(buf);
    }
    return { body: Buffer.concat(chunks).toString("utf8"), headersMs };
  }

  private append(line: string): void {
    const path = this.opts.out;
    if (path === undefined || this.writeError !== undefined) return;
    if (this.file === undefined) {
      this.file = open(path, "a");
      this.file.catch(() => undefined); // reported through writeError by the chain below
    }
    const file = this.file;
    this.writes = this.writes
      .then(async () => {
        await (await file).write(line);
      })
      .catch((error: unknown) => {
        this.writeError ??= error;
      });
  }
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "HeadersTimeoutError" || error.name === "BodyTimeoutError") {
      return `timeout after ${timeoutMs} ms`;
    }
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${typeof code === "string" ? `${code}: ` : ""}${error.message}${cause}`;
  }
  return String(error);
}
