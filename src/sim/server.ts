// Owns the simulator's HTTP surface (node:http only): routing, body reading, readiness, faults
// before streaming, crash, start and close. Wire formats come from the dialect.
// Shares no code with src/client: an SSE bug must not hide by being on both sides.

import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BenchError } from "../errors.js";
import { generatedTokenIds, promptKeys } from "./block-hash.js";
import type { HttpReply, ServerView } from "./dialects/dialect.js";
import type { StepEngine } from "./engine.js";
import { emptyFaultCounts, planFaults } from "./faults.js";
import type { FaultKind } from "./faults.js";
import { Generation } from "./generation.js";
import { isClosing, MAX_BODY_BYTES, readBody, send } from "./http-io.js";
import { resolveSimulatorOptions } from "./options.js";
import type { ResolvedSimulatorOptions, SimulatorOptions } from "./options.js";
import { mixSeed, planOutput } from "./output-plan.js";
import { parseRequest } from "./parse-request.js";
import type { ParseResult } from "./parse-request.js";
import type { FinishedReason, MetricsBase, ScrapeGauges } from "./prom-text.js";
import { TraceWriter } from "./trace-writer.js";
import { engineFromOptions } from "./virtual-server.js";
import { SIM_VERSION, badRequest, internalError, overloaded, unavailable } from "./vllm-wire.js";
import type { Endpoint, WireError } from "./vllm-wire.js";

export { SIM_VERSION } from "./vllm-wire.js";

export interface SimStats {
  /** Requests in the running batch (prefilling or decoding). */
  running: number;
  /** Requests in the waiting queue. */
  waiting: number;
  /** Completion requests accepted (passed validation). */
  accepted: number;
  /** Completion requests answered with an HTTP error (validation or an injected fault). */
  rejected: number;
  finished: Record<FinishedReason, number>;
  promptTokens: number;
  generationTokens: number;
  /** Engine steps run. */
  steps: number;
  preemptions: number;
  prefixCacheQueries: number;
  prefixCacheHits: number;
  /** Injected faults by kind (--faults): compare with what the client recorded. */
  faults: Record<FaultKind, number>;
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
 * Starts the simulated server and resolves once it listens.
 * @example
 * const sim = await startSimulator({ perTokenMs: 20, dialect: "sglang" });
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
    throw new BenchError("E_SIMULATOR", `simulator cannot listen on ${opts.host}:${opts.port}: ${(error as Error).message}`, { cause: error });
  }
}

class Simulator {
  readonly #opts: ResolvedSimulatorOptions;
  readonly #trace: TraceWriter | undefined;
  readonly #engine: StepEngine;
  readonly #generatedTokenId: (i: number) => number;
  readonly #metrics: MetricsBase;
  readonly #server = createServer({ noDelay: true }, (req, res) => this.#handle(req, res));
  readonly #open = new Set<Generation>();
  readonly #fingerprint: string;
  readonly #createdS = Math.floor(Date.now() / 1000);
  readonly #readyAtMs: number;
  readonly #faults = emptyFaultCounts();
  #requestSeq = 0;
  #accepted = 0;
  #rejected = 0;
  #crashed = false;
  #closing: Promise<void> | undefined;

  constructor(opts: ResolvedSimulatorOptions, trace: TraceWriter | undefined) {
    this.#opts = opts;
    this.#trace = trace;
    this.#engine = engineFromOptions(opts);
    this.#generatedTokenId = generatedTokenIds(opts.promptTokenizer);
    this.#metrics = opts.dialect.createMetrics(opts.model, opts.maxModelLen);
    this.#fingerprint = `vllm-${SIM_VERSION}-${createHash("sha256").update(opts.model).digest("hex").slice(0, 8)}`;
    this.#readyAtMs = opts.faults.neverReady ? Infinity : opts.clock.nowMs() + opts.loadTimeMs;
    if (opts.faults.neverReady) this.#fault("never-ready");
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
    const cache = this.#engine.prefixCache;
    return {
      running: this.#engine.running,
      waiting: this.#engine.waiting,
      accepted: this.#accepted,
      rejected: this.#rejected,
      finished: { ...m.finished },
      promptTokens: m.promptTokens,
      generationTokens: m.generationTokens,
      steps: this.#engine.steps,
      preemptions: this.#engine.preemptions,
      prefixCacheQueries: cache.queries,
      prefixCacheHits: cache.hits,
      faults: { ...this.#faults },
    };
  }

  #fault(kind: FaultKind, requestId?: string): void {
    this.#faults[kind]++;
    this.#opts.onFault?.({ kind, atMs: this.#opts.clock.nowMs(), ...(requestId === undefined ? {} : { requestId }) });
  }

  #view(): ServerView {
    const o = this.#opts;
    return {
      model: o.model,
      maxModelLen: o.maxModelLen,
      createdS: this.#createdS,
      ready: this.#ready(),
      gauges: () => this.#gauges(),
      metrics: this.#metrics,
      tokenize: (text, addSpecial) => [...(addSpecial ? o.addedTokenIds : []), ...this.#textIds(text)],
      renderChat: (messages) => (o.chatRender ?? renderChatMl)(messages),
    };
  }

  /** Ids of `text` as the server's tokenizer reads it; pseudo-ids of the counted length without one. */
  #textIds(text: string): number[] {
    const o = this.#opts;
    if (o.textTokenIds !== undefined) return o.textTokenIds(text);
    if (o.promptTokenizer !== undefined) return Array.from(o.promptTokenizer(text));
    const n = Math.max(0, o.promptTokenCounter(text) - o.addedTokenIds.length);
    return Array.from({ length: n }, (_, i) => i);
  }

  #ready(): boolean {
    return this.#opts.clock.nowMs() >= this.#readyAtMs;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.#crashed || isClosing(req.socket)) return void res.destroy();
    const arrivalMs = this.#opts.clock.nowMs();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    const dialect = this.#opts.dialect;
    if (!this.#ready()) {
      const reply = dialect.loading(path);
      if (reply !== undefined) return send(res, reply);
    }
    const endpoint = endpointOf(path, dialect.extraEndpoints ?? []);
    if (endpoint !== undefined) {
      if (method !== "POST") return send(res, { status: 405, body: JSON.stringify({ detail: "Method Not Allowed" }) });
      readBody(req, (body) => this.#complete(endpoint, body, res, arrivalMs));
      return;
    }
    if (method === "POST" && dialect.postPaths?.includes(path) === true) {
      readBody(req, (body) => send(res, this.#post(path, body)));
      return;
    }
    const reply = method === "GET" ? dialect.route(path, this.#view()) : undefined;
    if (reply !== undefined) return send(res, reply);
    const known = method !== "GET" && dialect.route(path, this.#view()) !== undefined;
    send(res, { status: known ? 405 : 404, body: JSON.stringify({ detail: known ? "Method Not Allowed" : "Not Found" }) });
  }

  /** A dialect's POST route (body parsed as JSON; a body that is not JSON is a 400, as servers answer). */
  #post(path: string, body: Buffer | undefined): HttpReply {
    let json: unknown;
    try {
      json = body === undefined ? undefined : JSON.parse(body.toString("utf8"));
    } catch {
      json = undefined;
    }
    if (json === undefined) return this.#opts.dialect.error(badRequest("Invalid JSON body"));
    return this.#opts.dialect.post?.(path, json, this.#view()) ?? { status: 404, body: JSON.stringify({ detail: "Not Found" }) };
  }

  #gauges(): ScrapeGauges {
    const cache = this.#engine.prefixCache;
    const kv = this.#engine.kvBlocks;
    const nominal = this.#opts.engine.kvBlocks;
    const bs = this.#opts.engine.blockSize;
    return {
      running: this.#engine.running,
      waiting: this.#engine.waiting,
      // A growable (simple-model) cache reports usage against its nominal size.
      kvCacheUsage: Math.min(1, kv.used / nominal),
      prefixCacheQueries: cache.queries,
      prefixCacheHits: cache.hits,
      preemptions: this.#engine.preemptions,
      kvUsedTokens: kv.used * bs,
      kvFreeTokens: Math.max(0, nominal - kv.used) * bs,
    };
  }

  #complete(endpoint: Endpoint, body: Buffer | undefined, res: ServerResponse, arrivalMs: number): void {
    if (this.#closing !== undefined || this.#crashed || res.destroyed) return void res.destroy();
    const faults = this.#opts.faults;
    if (faults.crashAfter !== undefined && this.#accepted >= faults.crashAfter) return this.#crash(res);
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
        model: o.dialect.checksModel ? o.model : undefined,
        maxModelLen: o.maxModelLen,
        defaultMaxTokens: o.defaultMaxTokens,
        countPromptTokens: o.promptTokenCounter,
        chatTemplateTokens: o.chatTemplateTokens,
        chatMessageTokens: o.chatMessageTokens,
      });
    } catch (error) {
      // Only an injected promptTokenCounter can throw here; answer like a failing server, do not crash.
      return this.#reject(res, internalError(`prompt token counter failed: ${(error as Error).message}`));
    }
    if (!parsed.ok) return this.#reject(res, parsed.error);
    const seq = this.#requestSeq++;
    const request = parsed.request;
    const plan = planFaults(faults, o.seed, seq, planOutput({ ...request, eosProbability: 0, seed: 0 }).tokens);
    if (plan.before !== undefined) {
      this.#fault(plan.before);
      const error = plan.before === "http500" ? internalError() : plan.before === "http503" ? unavailable() : overloaded();
      return this.#reject(res, error);
    }
    this.#accepted++;
    const seed = request.seed !== undefined ? mixSeed(request.seed, -1) : mixSeed(o.seed, seq);
    const ids = o.dialect.ids(endpoint, o.model, seq + 1, this.#fingerprint);
    const cacheable = o.engine.prefixCaching && (o.dialect.usesPromptCache?.(json) ?? true);
    const keys = cacheable ? promptKeys(request.promptContent, request.promptTokens, o.engine.blockSize, o.promptTokenizer) : undefined;
    const start = (): void => {
      if (res.destroyed || this.#closing !== undefined) return;
      const generation = new Generation(request, res, arrivalMs, ids, seed, keys, plan.during, {
        engine: this.#engine,
        metrics: this.#metrics,
        trace: this.#trace,
        dialect: o.dialect,
        nowMs: () => o.clock.nowMs(),
        after: (ms, fn) => void o.clock.wakeAt(o.clock.nowMs() + ms, fn),
        eosProbability: o.eosProbability,
        reasoningTokens: o.reasoningTokens,
        generatedTokenId: this.#generatedTokenId,
        onFault: (kind, id) => this.#fault(kind, id),
        onEnd: (g) => this.#open.delete(g),
      });
      this.#open.add(generation);
    };
    if (plan.slowHeadersMs > 0) {
      this.#fault("slow-headers", ids.id);
      o.clock.wakeAt(arrivalMs + plan.slowHeadersMs, start);
    } else start();
  }

  /** crash-after: every connection drops and the port closes, as when the process dies. */
  #crash(res: ServerResponse): void {
    this.#crashed = true;
    this.#fault("crash");
    res.destroy();
    for (const generation of [...this.#open]) generation.abort();
    this.#engine.stop();
    this.#server.close();
    this.#server.closeAllConnections();
    void this.#trace?.close().catch(() => undefined);
    this.#opts.onCrash?.();
  }

  #reject(res: ServerResponse, error: WireError): void {
    this.#rejected++;
    send(res, this.#opts.dialect.error(error));
  }
}

const ROUTES: Record<string, Endpoint> = {
  "/v1/completions": "completions",
  "/v1/chat/completions": "chat",
  "/v1/embeddings": "embeddings",
  "/v1/responses": "responses",
};

/** The generation route a path names, when this server has it. */
function endpointOf(path: string, extra: readonly Endpoint[]): Endpoint | undefined {
  const endpoint = ROUTES[path];
  return endpoint === "completions" || endpoint === "chat" || (endpoint !== undefined && extra.includes(endpoint)) ? endpoint : undefined;
}

/** ChatML, the template of Qwen and of the tiny llama.cpp test model, with the generation prompt. */
function renderChatMl(messages: ReadonlyArray<{ role: string; content: string }>): string {
  return `${messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join("")}<|im_start|>assistant\n`;
}
