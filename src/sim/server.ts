// Owns the simulator's HTTP surface (node:http only): routing, body reading, start and close.
// Shares no code with src/client: an SSE bug must not hide by being on both sides.

import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BenchError } from "../errors.js";
import { StepEngine } from "./engine.js";
import { Generation } from "./generation.js";
import { resolveSimulatorOptions } from "./options.js";
import type { ResolvedSimulatorOptions, SimulatorOptions } from "./options.js";
import { mixSeed } from "./output-plan.js";
import { parseRequest } from "./parse-request.js";
import type { ParseResult } from "./parse-request.js";
import { SimMetrics } from "./sim-metrics.js";
import type { FinishedReason } from "./sim-metrics.js";
import { TraceWriter } from "./trace-writer.js";
import { badRequest, errorBody, modelsBody } from "./vllm-wire.js";
import type { Endpoint, WireError } from "./vllm-wire.js";

/**
 * Reported by GET /version and inside system_fingerprint: the vLLM version whose wire format the
 * simulator copies (as in the shared fixtures), with a local suffix that marks it as simulated.
 */
export const SIM_VERSION = "0.30.0+servebench.sim1";
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface SimStats {
  /** Admitted requests (prefilling or decoding). */
  running: number;
  /** Requests queued behind maxNumSeqs. */
  waiting: number;
  /** Completion requests accepted (passed validation). */
  accepted: number;
  /** Completion requests answered with an HTTP error. */
  rejected: number;
  finished: Record<FinishedReason, number>;
  promptTokens: number;
  generationTokens: number;
  /** Engine steps run. */
  steps: number;
}

export interface RunningSimulator {
  /** http://HOST:PORT, no trailing slash. */
  url: string;
  port: number;
  /** Ends open streams (their sockets are destroyed), frees the port, flushes the trace. Idempotent. */
  close(): Promise<void>;
  stats(): SimStats;
}

/**
 * Starts the simulated vLLM server and resolves once it listens.
 * @example
 * const sim = await startSimulator({ perTokenMs: 20 });
 * const res = await fetch(`${sim.url}/v1/completions`, { method: "POST", body: JSON.stringify({ prompt: "Hi", max_tokens: 8 }) });
 * await sim.close();
 * @throws BenchError E_BAD_CONFIG for a bad option, E_IO for an unwritable trace, E_SIMULATOR if it cannot listen.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const opts = resolveSimulatorOptions(options);
  const trace = opts.trace === undefined ? undefined : new TraceWriter(opts.trace);
  const sim = new Simulator(opts, trace);
  try {
    const port = await sim.listen();
    const hostInUrl = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
    return { url: `http://${hostInUrl}:${port}`, port, close: () => sim.close(), stats: () => sim.stats() };
  } catch (error) {
    await trace?.close().catch(() => undefined);
    throw new BenchError("E_SIMULATOR", `simulator cannot listen on ${opts.host}:${opts.port}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

class Simulator {
  readonly #opts: ResolvedSimulatorOptions;
  readonly #trace: TraceWriter | undefined;
  readonly #engine: StepEngine;
  readonly #metrics: SimMetrics;
  readonly #server = createServer({ noDelay: true }, (req, res) => this.#handle(req, res));
  readonly #open = new Set<Generation>();
  readonly #fingerprint: string;
  readonly #createdS = Math.floor(Date.now() / 1000);
  #requestSeq = 0;
  #accepted = 0;
  #rejected = 0;
  #closing: Promise<void> | undefined;

  constructor(opts: ResolvedSimulatorOptions, trace: TraceWriter | undefined) {
    this.#opts = opts;
    this.#trace = trace;
    this.#engine = new StepEngine({ timing: opts.timing, clock: opts.clock, maxNumSeqs: opts.maxNumSeqs });
    this.#metrics = new SimMetrics(opts.model, opts.maxModelLen);
    this.#fingerprint = `vllm-${SIM_VERSION}-${createHash("sha256").update(opts.model).digest("hex").slice(0, 8)}`;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => {
        this.#server.off("error", reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const generation of [...this.#open]) generation.abort();
      this.#engine.stop();
      await new Promise<void>((resolve) => {
        this.#server.close(() => resolve());
        this.#server.closeAllConnections();
      });
      await this.#trace?.close();
    })();
    return this.#closing;
  }

  stats(): SimStats {
    const m = this.#metrics;
    return {
      running: this.#engine.running,
      waiting: this.#engine.waiting,
      accepted: this.#accepted,
      rejected: this.#rejected,
      finished: { ...m.finished },
      promptTokens: m.promptTokens,
      generationTokens: m.generationTokens,
      steps: this.#engine.steps,
    };
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const arrivalMs = this.#opts.clock.nowMs();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    const endpoint: Endpoint | undefined =
      path === "/v1/completions" ? "completions" : path === "/v1/chat/completions" ? "chat" : undefined;
    if (endpoint !== undefined) {
      if (method !== "POST") return sendJson(res, 405, JSON.stringify({ detail: "Method Not Allowed" }));
      readBody(req, (body) => this.#complete(endpoint, body, res, arrivalMs));
      return;
    }
    if (method !== "GET") {
      const known = ["/health", "/version", "/v1/models", "/metrics"].includes(path);
      return sendJson(res, known ? 405 : 404, JSON.stringify({ detail: known ? "Method Not Allowed" : "Not Found" }));
    }
    switch (path) {
      case "/health":
        res.writeHead(200, { "content-length": "0" }).end();
        return;
      case "/version":
        return sendJson(res, 200, JSON.stringify({ version: SIM_VERSION }));
      case "/v1/models":
        return sendJson(res, 200, modelsBody(this.#opts.model, this.#opts.maxModelLen, this.#createdS, `modelperm-${randomBytes(16).toString("hex")}`));
      case "/metrics":
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
        res.end(this.#metrics.render({ running: this.#engine.running, waiting: this.#engine.waiting, kvCacheUsage: this.#kvCacheUsage() }));
        return;
      default:
        return sendJson(res, 404, JSON.stringify({ detail: "Not Found" }));
    }
  }

  #kvCacheUsage(): number {
    return Math.min(1, this.#engine.kvBlocksInUse(this.#opts.kvBlockSize) / this.#opts.kvCacheBlocks);
  }

  #complete(endpoint: Endpoint, body: Buffer | undefined, res: ServerResponse, arrivalMs: number): void {
    if (this.#closing !== undefined || res.destroyed) return void res.destroy();
    if (body === undefined) return this.#reject(res, badRequest(`Request body exceeds ${MAX_BODY_BYTES} bytes`));
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch (error) {
      return this.#reject(res, badRequest(`Invalid JSON body: ${(error as Error).message}`));
    }
    const o = this.#opts;
    let parsed: ParseResult;
    try {
      parsed = parseRequest(endpoint, json, {
        model: o.model,
        maxModelLen: o.maxModelLen,
        defaultMaxTokens: o.defaultMaxTokens,
        countPromptTokens: o.promptTokenCounter,
        chatTemplateTokens: o.chatTemplateTokens,
        chatMessageTokens: o.chatMessageTokens,
      });
    } catch (error) {
      // Only an injected promptTokenCounter can throw here; answer like a failing server, do not crash.
      const message = `prompt token counter failed: ${(error as Error).message}`;
      return this.#reject(res, { status: 500, message, type: "InternalServerError", param: null });
    }
    if (!parsed.ok) return this.#reject(res, parsed.error);
    this.#accepted++;
    const request = parsed.request;
    const seed = request.seed !== undefined ? mixSeed(request.seed, -1) : mixSeed(o.seed, this.#requestSeq++);
    const ids = {
      id: `${endpoint === "chat" ? "chatcmpl-" : "cmpl-"}${randomBytes(16).toString("hex")}`,
      created: Math.floor(Date.now() / 1000),
      model: o.model,
      systemFingerprint: this.#fingerprint,
    };
    const generation = new Generation(request, res, arrivalMs, ids, seed, {
      engine: this.#engine,
      metrics: this.#metrics,
      trace: this.#trace,
      nowMs: () => o.clock.nowMs(),
      eosProbability: o.eosProbability,
      onEnd: (g) => this.#open.delete(g),
    });
    this.#open.add(generation);
  }

  #reject(res: ServerResponse, error: WireError): void {
    this.#rejected++;
    sendJson(res, error.status, errorBody(error));
  }
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Calls back with the whole body, or undefined if it is too large. Never calls back if the client goes away. */
function readBody(req: IncomingMessage, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let tooLarge = false;
  req.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_BODY_BYTES) tooLarge = true;
    else if (!tooLarge) chunks.push(chunk);
  });
  req.on("end", () => done(tooLarge ? undefined : Buffer.concat(chunks)));
  req.on("error", () => undefined);
}
