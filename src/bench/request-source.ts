// Owns the supply of RequestSpecs for each level, built before the level starts so prompt
// generation never runs on the hot path. Prompts stay unique across levels (a running
// offset), so a later level cannot hit the prefix cache with an earlier level's prompts.

import type { RunConfig } from "../config/run-config.js";
import { buildRequests, type DatasetRow } from "../workload/build.js";
import { loadJsonlDataset } from "../workload/dataset.js";
import type { RequestSpec } from "../workload/request-spec.js";
import type { TextTokenizer } from "../workload/tokenizer.js";

/** Pool cap when only a duration bounds a level; beyond it prompts are reused (and reported). */
const MAX_POOL = 4096;

export interface LevelSpecs {
  get(index: number): RequestSpec;
  poolSize: number;
  /** How many requests got a prompt already used earlier in the level. */
  readonly reused: number;
}

export class RequestSource {
  private nextIndex = 0;

  private constructor(
    private readonly config: RunConfig,
    private readonly tokenizer: TextTokenizer,
    private readonly dataset: DatasetRow[] | undefined,
  ) {}

  static async create(config: RunConfig, tokenizer: TextTokenizer): Promise<RequestSource> {
    const dataset = config.dataset === undefined ? undefined : await loadJsonlDataset(config.dataset);
    return new RequestSource(config, tokenizer, dataset);
  }

  /** The next `count` requests of the run, each new. */
  take(_level: number, count: number): RequestSpec[] {
    const c = this.config;
    const specs = buildRequests({
      endpoint: c.endpoint,
      count,
      tokenizer: this.tokenizer,
      inputTokens: c.inputTokens,
      outputTokens: c.outputTokens,
      sharedPrefixTokens: c.sharedPrefixTokens,
      seed: c.seed,
      startIndex: this.nextIndex,
      ...(c.prompt === undefined ? {} : { prompt: c.prompt }),
      ...(this.dataset === undefined ? {} : { dataset: this.dataset }),
    });
    this.nextIndex += count;
    return specs;
  }

  /** Specs for a level of `requests` (Infinity when bounded by `durationMs` only). */
  levelSpecs(level: number, requests: number, durationMs: number | undefined): LevelSpecs {
    const poolSize = Number.isFinite(requests) ? requests : this.poolSizeFor(durationMs);
    const pool = this.take(level, poolSize).map((spec, index) => ({ ...spec, index }));
    let reused = 0;
    return {
      poolSize,
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

  private poolSizeFor(durationMs: number | undefined): number {
    const seconds = (durationMs ?? 60_000) / 1000;
    const c = this.config;
    const estimate = c.rate
      ? Math.ceil(Math.max(...c.rate) * seconds * 1.2) + 16
      : Math.max(256, 8 * Math.max(...(c.concurrency ?? [16])));
    return Math.min(MAX_POOL, estimate);
  }
}
