// Owns one accepted completion request from submission to the engine until its response ends:
// writing each token event as the engine produces it, the usage/[DONE] tail or the JSON body,
// and reporting to metrics and the trace. Never decides timing (the engine does).

import type { ServerResponse } from "node:http";
import type { EngineJob, EngineTicket, StepEngine } from "./engine.js";
import { planOutput, tokenText } from "./output-plan.js";
import type { OutputPlan } from "./output-plan.js";
import type { ParsedRequest } from "./parse-request.js";
import type { FinishedReason, SimMetrics } from "./sim-metrics.js";
import type { TraceWriter } from "./trace-writer.js";
import { DONE_EVENT, completionBody, streamEncoder } from "./vllm-wire.js";
import type { ResponseIds, StreamEncoder } from "./vllm-wire.js";

export interface GenerationDeps {
  engine: StepEngine;
  metrics: SimMetrics;
  trace: TraceWriter | undefined;
  nowMs: () => number;
  eosProbability: number;
  /** Called once when the generation ends, normally or not. */
  onEnd: (generation: Generation) => void;
}

export class Generation implements EngineJob {
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly #request: ParsedRequest;
  readonly #res: ServerResponse;
  readonly #arrivalMs: number;
  readonly #deps: GenerationDeps;
  readonly #ids: ResponseIds;
  readonly #plan: OutputPlan;
  readonly #encoder: StreamEncoder | undefined;
  readonly #emitMs: number[] = [];
  readonly #texts: string[] = [];
  readonly #ticket: EngineTicket;
  #ended = false;

  constructor(request: ParsedRequest, res: ServerResponse, arrivalMs: number, ids: ResponseIds, seed: number, deps: GenerationDeps) {
    this.#request = request;
    this.#res = res;
    this.#arrivalMs = arrivalMs;
    this.#ids = ids;
    this.#deps = deps;
    this.#plan = planOutput({ ...request, eosProbability: deps.eosProbability, seed });
    this.promptTokens = request.promptTokens;
    this.outputTokens = this.#plan.tokens;
    res.setHeader("x-sim-request-id", ids.id);
    if (request.stream) {
      this.#encoder = streamEncoder(request.endpoint, ids);
      // Like Starlette's StreamingResponse: headers go out before the first token exists.
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
      res.flushHeaders();
    }
    res.on("close", () => this.abort());
    this.#ticket = deps.engine.submit(this);
  }

  get id(): string {
    return this.#ids.id;
  }

  onAdmitted(atMs: number): void {
    this.#deps.metrics.onAdmitted(atMs - this.#arrivalMs, this.promptTokens);
  }

  onToken(index: number, _stepAtMs: number, last: boolean): void {
    if (this.#ended) return;
    const finishReason = last ? this.#plan.finishReason : null;
    const text = last && finishReason === "stop" ? "" : tokenText(index);
    if (this.#encoder !== undefined) {
      const fingerprintHere = last && !this.#request.includeUsage;
      // The chat role chunk goes out with the first token, as in vLLM (both come from the first engine output).
      const preamble = index === 0 ? this.#encoder.preamble() : "";
      this.#res.write(preamble + this.#encoder.token(text, finishReason, fingerprintHere));
    } else {
      this.#texts.push(text);
    }
    const nowMs = this.#deps.nowMs();
    const previousMs = this.#emitMs[this.#emitMs.length - 1];
    this.#emitMs.push(nowMs);
    if (previousMs === undefined) this.#deps.metrics.onFirstToken(nowMs - this.#arrivalMs);
    else this.#deps.metrics.onNextToken(nowMs - previousMs);
    if (finishReason !== null) this.#complete(finishReason);
  }

  /** Ends the request early (client went away, or the simulator is closing) and drops its socket. */
  abort(): void {
    if (this.#ended) return;
    this.#ticket.cancel();
    this.#end("abort");
    this.#res.destroy();
  }

  #complete(finishReason: "length" | "stop"): void {
    const completionTokens = this.#emitMs.length;
    if (this.#encoder !== undefined) {
      const usage = this.#request.includeUsage ? this.#encoder.usage(this.promptTokens, completionTokens) : "";
      this.#res.end(usage + DONE_EVENT);
    } else {
      const body = completionBody(this.#request.endpoint, this.#ids, this.#texts.join(""), finishReason, this.promptTokens, completionTokens);
      this.#res.writeHead(200, { "content-type": "application/json" });
      this.#res.end(body);
    }
    this.#end(finishReason);
  }

  #end(reason: FinishedReason): void {
    this.#ended = true;
    const endMs = this.#deps.nowMs();
    this.#deps.metrics.onFinished(reason, endMs - this.#arrivalMs, this.promptTokens, this.#emitMs.length);
    this.#deps.trace?.write({
      id: this.#ids.id,
      model: this.#ids.model,
      arrivalMs: this.#arrivalMs,
      promptTokens: this.promptTokens,
      completionTokens: this.#emitMs.length,
      emitMs: this.#emitMs,
      finishReason: reason,
      stream: this.#request.stream,
    });
    this.#deps.onEnd(this);
  }
}
