// Owns the supply of RequestSpecs (and multi-turn SessionSpecs) for each level, built before the
// level starts so prompt generation never runs on the hot path. Prompts stay unique across
// levels (a running offset), so a later level cannot hit the prefix cache with an earlier
// level's prompts; shared-prefix groups are the deliberate exception.

import type { RunConfig } from "../config/run-config.js";
import { BenchError } from "../errors.js";
import { formatLengthDist } from "../config/length-dist.js";
import { buildRequests, fitToContext, type DatasetRow } from "../workload/build.js";
import type { PromptCounter } from "../workload/chat-template.js";
import { loadDataset, type LoadedDataset } from "../workload/datasets/load-dataset.js";
import { createLengthSampler, type LengthSampler } from "../workload/length-sampler.js";
import type { RequestSpec, SessionSpec } from "../workload/request-spec.js";
import { buildSessions } from "../workload/sessions.js";
import type { TextTokenizer } from "../workload/tokenizer.js";
import { loadTrace, type LoadedTrace } from "../workload/trace.js";
import { usesMessages } from "../workload/request-spec.js";

/** Pool cap when only a duration bounds a level; beyond it prompts are reused (and reported). */
const MAX_POOL = 4096;
/** Salts of the input/output length streams: request i of a run gets sampler(seed, salt)(i). */
export const SALT_INPUT = 0x494e;
export const SALT_OUTPUT = 0x4f55;

export interface LevelSpecs {
  get(index: number): RequestSpec;
  poolSize: number;
  /** How many requests got a prompt already used earlier in the level. */
  readonly reused: number;
  /** Set when prompts were shortened to fit the server's max_model_len: the level's warning. */
  readonly clipped: string | undefined;
}

export interface SourceContext {
  tokenizer: TextTokenizer;
  counter: PromptCounter;
  /** From GET /v1/models; inputs + outputs are clipped to it. */
  maxModelLen: number | undefined;
}

export class RequestSource {
  private nextIndex = 0;
  private traceBase = 0;
  private readonly inputLength: LengthSampler | undefined;
  private readonly outputLength: LengthSampler | undefined;
  /** A Mooncake trace's hash_ids per request: shared leading blocks become a shared prompt prefix. */
  private readonly blockIds: ((i: number) => readonly number[] | undefined) | undefined;
  /** Prefix groups already sent in this run (their prefixes may be cached). */
  readonly seenGroups = new Set<number>();

  private constructor(
    private readonly config: RunConfig,
    private readonly ctx: SourceContext,
    readonly dataset: LoadedDataset | undefined,
    readonly trace: LoadedTrace | undefined,
  ) {
    const c = config;
    if (trace !== undefined) {
      // Entry k of the trace is request k of the replay level, whatever warmups came before it.
      const entry = (i: number) => trace.entries[(((i - this.traceBase) % trace.entries.length) + trace.entries.length) % trace.entries.length];
      this.inputLength = (i) => entry(i)?.inputTokens ?? 1;
      this.outputLength = (i) => entry(i)?.outputTokens ?? 1;
      if (trace.entries.some((e) => e.hashIds !== undefined)) this.blockIds = (i) => entry(i)?.hashIds;
    } else {
      const total = c.suffixTokens !== undefined && c.prefixTokens !== undefined ? undefined : c.inputTokens;
      this.inputLength = c.inputDist !== undefined ? createLengthSampler(c.inputDist, c.seed, SALT_INPUT) : total === undefined ? undefined : () => total;
      this.outputLength = c.outputDist !== undefined ? createLengthSampler(c.outputDist, c.seed, SALT_OUTPUT) : () => c.outputTokens;
    }
  }

  static create(config: RunConfig, ctx: SourceContext): RequestSource {
    const dataset =
      config.dataset === undefined
        ? undefined
        : loadDataset(config.dataset, {
            format: config.datasetFormat,
            seed: config.seed,
            ...(config.datasetSample === undefined ? {} : { sample: config.datasetSample }),
          });
    const trace = config.trace === undefined ? undefined : loadTrace(config.trace, config.traceFormat);
    return new RequestSource(config, ctx, dataset, trace);
  }

  /** Human label of the workload for the summary. */
  label(): string {
    const c = this.config;
    const sessions = c.turns === undefined ? "" : `, ${c.turns}-turn sessions${c.thinkTimeMs > 0 ? ` (think ${c.thinkTimeMs} ms)` : ""}`;
    if (this.trace !== undefined) {
      const blocks = this.blockIds === undefined ? "" : `, hash_ids as shared ${c.traceBlockTokens}-token blocks`;
      return `trace ${c.trace} (${this.trace.format}, ${this.trace.entries.length} requests, time scale ${c.timeScale}${blocks})`;
    }
    if (this.dataset !== undefined) {
      const d = this.dataset;
      const sample = c.datasetSample === undefined ? "" : `, sample ${d.rows.length} of ${d.entries} (seed ${c.seed})`;
      return `dataset ${d.file} (${d.format}${sample})${sessions}`;
    }
    if (c.prompt !== undefined) return "fixed prompt";
    const input = c.inputDist !== undefined ? `input ${formatLengthDist(c.inputDist)}` : `${c.inputTokens} in`;
    const output = c.outputDist !== undefined ? `output ${formatLengthDist(c.outputDist)}` : `${c.outputTokens} out`;
    const groups =
      c.prefixGroups !== undefined
        ? `, ${c.prefixGroups} prefix groups × ${c.prefixTokens} tokens${c.suffixTokens !== undefined ? ` + ${c.suffixTokens} suffix` : ""}`
        : c.sharedPrefixTokens > 0
          ? `, ${c.sharedPrefixTokens} shared prefix`
          : ", unique prompts";
    return `synthetic ${input} / ${output}${groups}${sessions}`;
  }

  /** The next `count` requests of the run, each new. */
  /** Skips `count` request positions (a resumed run: never resend prompts an earlier attempt sent). */
  skip(count: number): void {
    this.nextIndex += count;
  }

  take(count: number): RequestSpec[] {
    const c = this.config;
    const ctx = this.ctx;
    const groups = c.prefixGroups !== undefined && c.prefixTokens !== undefined ? { groups: c.prefixGroups, prefixTokens: c.prefixTokens } : undefined;
    const suffixTotal = this.suffixTotal();
    const specs = buildRequests({
      endpoint: c.endpoint,
      count,
      tokenizer: ctx.tokenizer,
      counter: ctx.counter,
      inputTokens: c.inputTokens,
      inputLength: suffixTotal ?? this.inputLength,
      outputLength: this.outputLength,
      sharedPrefixTokens: c.sharedPrefixTokens,
      prefixGroups: groups,
      blockIds: this.blockIds,
      blockTokens: c.traceBlockTokens,
      maxModelLen: ctx.maxModelLen,
      seed: c.seed,
      startIndex: this.nextIndex,
      ...(c.prompt === undefined ? {} : { prompt: c.prompt }),
      ...(this.dataset === undefined ? {} : { dataset: this.dataset.rows as DatasetRow[] }),
    });
    this.nextIndex += count;
    return specs;
  }

  /** With --suffix-tokens, the total is prefix + suffix + whatever the template/BOS adds. */
  private suffixTotal(): LengthSampler | undefined {
    const c = this.config;
    if (c.suffixTokens === undefined || c.prefixTokens === undefined) return undefined;
    const overhead = usesMessages(c.endpoint) ? this.ctx.counter.chatOverhead(["system", "user"]) : this.ctx.tokenizer.specialTokensAdded;
    const total = c.prefixTokens + c.suffixTokens + overhead;
    return () => total;
  }

  /** The next `count` multi-turn sessions. */
  takeSessions(count: number): SessionSpec[] {
    const c = this.config;
    const sessions = buildSessions({
      tokenizer: this.ctx.tokenizer,
      count,
      turns: c.turns ?? 1,
      seed: c.seed,
      startIndex: this.nextIndex,
      inputLength: this.inputLength,
      outputLength: this.outputLength,
      ...(this.dataset === undefined ? {} : { dataset: this.dataset.rows }),
    });
    this.nextIndex += count;
    return sessions;
  }

  /** Specs for a level of `requests` (Infinity when bounded by `durationMs` only). */
  levelSpecs(requests: number, durationMs: number | undefined, load: { kind: string; value: number }): LevelSpecs {
    const poolSize = Number.isFinite(requests) ? requests : this.poolSizeFor(durationMs, load);
    this.traceBase = this.nextIndex;
    const clipped = this.clipNote(this.nextIndex, poolSize);
    if (clipped !== undefined && this.config.strict) {
      // --strict promises the asked lengths exactly: shortening them would pass the check while testing something else.
      throw new BenchError("E_BAD_CONFIG", `--strict: ${clipped}; lower --input-tokens/--output-tokens or raise the server's max_model_len`, {
        where: "--strict",
      });
    }
    const pool = this.take(poolSize).map((spec, index) => ({ ...spec, index }));
    let reused = 0;
    return {
      poolSize,
      clipped,
      get reused() {
        return reused;
      },
      get(index: number): RequestSpec {
        if (index >= pool.length) reused++;
        const spec = pool[index % pool.length] as RequestSpec;
        return index < pool.length ? spec : { ...spec, index };
      },
    };
  }

  /** buildRequests fits input + output to max_model_len (fitToContext): say so, never silently. */
  private clipNote(start: number, count: number): string | undefined {
    const max = this.ctx.maxModelLen;
    const inputAt = this.suffixTotal() ?? this.inputLength;
    if (max === undefined || inputAt === undefined || this.config.prompt !== undefined || this.dataset !== undefined) return undefined;
    let n = 0;
    let example = "";
    for (let i = start; i < start + count; i++) {
      const input = inputAt(i);
      const output = this.outputLength?.(i);
      if (!fitToContext(input, output, max).clipped) continue;
      if (n++ === 0) example = `${input} in + ${output ?? 0} out`;
    }
    if (n === 0) return undefined;
    return `${n} of ${count} prompts were shortened to fit the server's max_model_len ${max} (input + output must fit; first: ${example} asked)`;
  }

  private poolSizeFor(durationMs: number | undefined, load: { kind: string; value: number }): number {
    const seconds = (durationMs ?? 60_000) / 1000;
    const estimate = load.kind === "rate" ? Math.ceil(load.value * seconds * 1.2) + 16 : Math.max(256, 8 * load.value);
    return Math.min(MAX_POOL, estimate);
  }
}
