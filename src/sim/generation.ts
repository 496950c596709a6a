// Owns one accepted completion request from submission to the engine until its response ends:
// writing each engine output in the server's dialect, the usage/end tail or the JSON body, any
// mid-stream fault the plan calls for, and reporting to metrics and the trace. Never decides timing.

import type { ServerResponse } from "node:http";
import type { PromptKeys } from "./block-hash.js";
import type { Dialect, StreamIds, StreamWriter } from "./dialects/dialect.js";
import type { EngineJob, EngineTicket, StepEngine } from "./engine.js";
import type { FaultKind, FaultPlan } from "./faults.js";
import { planOutput, tokenText } from "./output-plan.js";
import type { OutputPlan } from "./output-plan.js";
import type { ParsedRequest } from "./parse-request.js";
import type { FinishedReason, MetricsBase } from "./prom-text.js";
import type { TraceWriter } from "./trace-writer.js";
import { internalError } from "./vllm-wire.js";
import { closeSoon } from "./http-io.js";

export interface GenerationDeps {
  engine: StepEngine;
  metrics: MetricsBase;
  trace: TraceWriter | undefined;
  dialect: Dialect;
  nowMs: () => number;
  /** Runs `fn` after `ms` on the simulator's clock (stalls). */
  after: (ms: number, fn: () => void) => void;
  eosProbability: number;
  /** Chat: the first tokens of every answer are reasoning (options.reasoningTokens). */
  reasoningTokens: number;
  /** The prompt-space id of generated token i (block-hash.ts generatedTokenIds). */
  generatedTokenId: (i: number) => number;
  onFault: (kind: FaultKind, id: string) => void;
  /** Called once when the generation ends, normally or not. */
  onEnd: (generation: Generation) => void;
}

export class Generation implements EngineJob {
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly promptHashes: readonly number[];
  readonly promptTailIds: readonly number[] | undefined;
  readonly generatedTokenId: ((i: number) => number) | undefined;
  readonly #request: ParsedRequest;
  readonly #res: ServerResponse;
  readonly #arrivalMs: number;
  readonly #deps: GenerationDeps;
  readonly #ids: StreamIds;
  readonly #plan: OutputPlan;
  readonly #fault: FaultPlan["during"];
  readonly #writer: StreamWriter | undefined;
  readonly #emitMs: number[] = [];
  readonly #texts: string[] = [];
  readonly #ticket: EngineTicket;
  #ended = false;
  /** Prompt tokens served from the prefix cache (usage.prompt_tokens_details.cached_tokens). */
  #cachedTokens = 0;
  /** Output tokens streamed as reasoning (usage.completion_tokens_details.reasoning_tokens). */
  #reasoningEmitted = 0;
  #stalled: string[] | undefined;
  #faulted: FaultKind | undefined;

  constructor(
    request: ParsedRequest,
    res: ServerResponse,
    arrivalMs: number,
    ids: StreamIds,
    seed: number,
    keys: PromptKeys | undefined,
    fault: FaultPlan["during"],
    deps: GenerationDeps,
  ) {
    this.#request = request;
    this.#res = res;
    this.#arrivalMs = arrivalMs;
    this.#ids = ids;
    this.#deps = deps;
    this.#fault = fault;
    const plan = planOutput({ ...request, eosProbability: deps.eosProbability, seed });
    // "short": the server stops early, as if EOS came despite ignore_eos / min_tokens.
    this.#plan = fault?.kind === "short" ? { tokens: Math.min(plan.tokens, fault.atToken), finishReason: "stop" } : plan;
    if (fault?.kind === "short") this.#strike("short");
    this.promptTokens = request.promptTokens;
    this.outputTokens = this.#plan.tokens;
    this.promptHashes = keys?.hashes ?? [];
    this.promptTailIds = keys?.tailIds;
    this.generatedTokenId = keys === undefined ? undefined : deps.generatedTokenId;
    res.setHeader("x-sim-request-id", ids.id);
    if (request.stream) {
      this.#writer = deps.dialect.stream(request.endpoint, ids, request.includeUsage);
      // Like Starlette's StreamingResponse: headers go out before the first token exists.
      res.writeHead(200, { "content-type": deps.dialect.sseContentType });
      res.flushHeaders();
    }
    res.on("close", () => this.abort());
    this.#ticket = deps.engine.submit(this);
  }

  get id(): string {
    return this.#ids.id;
  }

  onAdmitted(atMs: number, cachedTokens: number): void {
    this.#cachedTokens = Math.min(cachedTokens, this.promptTokens);
    this.#deps.metrics.onAdmitted(atMs - this.#arrivalMs, this.promptTokens, this.#cachedTokens);
  }

  onTokens(first: number, count: number, _stepAtMs: number, last: boolean): void {
    if (this.#ended) return;
    const f = this.#fault;
    if (f !== undefined && f.kind !== "short" && this.#faulted === undefined && first + count > f.atToken) {
      if (this.#strikeDuring(f.kind, f.stallMs)) return;
    }
    const finishReason = last ? this.#plan.finishReason : null;
    // An EOS token has no text but counts; several tokens (speculative decoding) share one output.
    const end = last && finishReason === "stop" ? first + count - 1 : first + count;
    let text = "";
    for (let i = first; i < end; i++) text += tokenText(i);
    // Chat and the Responses API only (a reasoning parser works on messages), and never the last token: an answer follows.
    const reasoningEnd =
      this.#request.endpoint === "chat" || this.#request.endpoint === "responses" ? Math.min(this.#deps.reasoningTokens, this.outputTokens - 1) : 0;
    const reasoning = first < reasoningEnd;
    if (reasoning) this.#reasoningEmitted += Math.min(count, reasoningEnd - first);
    if (this.#writer !== undefined) this.#write(this.#writer.output(text, first === 0, finishReason, reasoning));
    else this.#texts.push(text);
    const nowMs = this.#deps.nowMs();
    const previousMs = this.#emitMs[this.#emitMs.length - 1];
    for (let i = 0; i < count; i++) this.#emitMs.push(nowMs);
    // An embedding's forward pass generates nothing: vLLM counts no generation tokens for it.
    if (this.#request.endpoint !== "embeddings") {
      if (previousMs === undefined) this.#deps.metrics.onFirstToken(nowMs - this.#arrivalMs, count);
      else this.#deps.metrics.onNextToken(nowMs - previousMs, count);
    }
    if (finishReason !== null) this.#complete(finishReason);
  }

  onRejected(reason: string): void {
    if (this.#ended) return;
    if (this.#writer !== undefined) this.#res.end(this.#writer.error(reason));
    else {
      const reply = this.#deps.dialect.error(internalError(reason));
      this.#res.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json" }).end(reply.body);
    }
    this.#end("abort");
  }

  /** Ends the request early (client went away, or the simulator is closing) and drops its socket. */
  abort(): void {
    if (this.#ended) return;
    this.#ticket.cancel();
    this.#end("abort");
    this.#res.destroy();
  }

  /** Carries out a mid-stream fault; true when the request ends here. */
  #strikeDuring(kind: "midstream" | "reset" | "stall" | "malformed", stallMs: number): boolean {
    this.#strike(kind);
    switch (kind) {
      case "reset":
        this.abort();
        return true;
      case "midstream":
        this.#ticket.cancel();
        if (this.#writer !== undefined) this.#res.end(this.#writer.error("Internal server error"));
        else {
          const reply = this.#deps.dialect.error(internalError());
          this.#res.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json" }).end(reply.body);
        }
        this.#end("abort");
        return true;
      case "malformed":
        // A torn JSON line, as a proxy that splits a write would leave it.
        if (this.#writer !== undefined) this.#write('data: {"id":"malformed","choices":[{"delta":{"content":"\n\n');
        return false;
      case "stall":
        this.#stalled = [];
        this.#deps.after(stallMs, () => {
          const pending = this.#stalled ?? [];
          this.#stalled = undefined;
          if (this.#res.destroyed) return;
          for (const chunk of pending)
            if (chunk === "\u0000end") this.#res.end();
            else this.#res.write(chunk);
        });
        return false;
    }
  }

  #strike(kind: FaultKind): void {
    this.#faulted = kind;
    this.#deps.onFault(kind, this.#ids.id);
  }

  #write(chunk: string): void {
    if (this.#stalled !== undefined) this.#stalled.push(chunk);
    else this.#res.write(chunk);
  }

  #finish(): void {
    if (this.#stalled !== undefined) this.#stalled.push("\u0000end");
    else this.#res.end();
    // llama.cpp closes the socket once a stream is written, whatever Keep-Alive said.
    if (this.#writer !== undefined && this.#deps.dialect.closesAfterStream === true) {
      const socket = this.#res.socket;
      this.#res.once("finish", () => closeSoon(socket));
    }
  }

  #complete(finishReason: "length" | "stop"): void {
    const completionTokens = this.#emitMs.length;
    if (this.#writer !== undefined) {
      this.#write(this.#writer.end(this.promptTokens, completionTokens, this.#cachedTokens, this.#reasoningEmitted));
      this.#finish();
    } else {
      let body = this.#deps.dialect.body(
        this.#request.endpoint,
        this.#ids,
        this.#texts.join(""),
        finishReason,
        this.promptTokens,
        completionTokens,
        this.#cachedTokens,
      );
      if (this.#faulted === "malformed") body = body.slice(0, Math.floor(body.length / 2));
      this.#res.writeHead(200, { "content-type": "application/json" });
      this.#write(body);
      this.#finish();
    }
    this.#end(finishReason);
  }

  #end(reason: FinishedReason): void {
    this.#ended = true;
    const endMs = this.#deps.nowMs();
    const generated = this.#request.endpoint === "embeddings" ? 0 : this.#emitMs.length;
    this.#deps.metrics.onFinished(reason, endMs - this.#arrivalMs, this.promptTokens, generated, this.#cachedTokens);
    this.#deps.trace?.write({
      id: this.#ids.id,
      model: this.#ids.model,
      arrivalMs: this.#arrivalMs,
      promptTokens: this.promptTokens,
      completionTokens: this.#emitMs.length,
      emitMs: this.#emitMs,
      finishReason: reason,
      stream: this.#request.stream,
      ...(this.#faulted === undefined ? {} : { fault: this.#faulted }),
    });
    this.#deps.onEnd(this);
  }
}
