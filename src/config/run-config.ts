// Owns the run configuration: one zod schema that is the single source of truth for its
// types, defaults and validation. The CLI and the library both go through resolveRunConfig()
// (resolve-run-config.ts, which names flags in errors from the flag table).

import { availableParallelism } from "node:os";
import { z } from "zod";
import { ENDPOINTS } from "./endpoints.js";
import { lengthDistSchema } from "./length-dist.js";
import { EMBEDDED_ONLY_FIELDS, simConfigSchema } from "./sim-config.js";
import { workloadRefinements } from "./workload-checks.js";

const positiveInt = z.number().int().positive();

/**
 * Upper bounds checked before anything is allocated: a closed loop holds one connection and one
 * pending request per slot, so a typo like 1000000000 must fail here, not spin building slots.
 */
export const MAX_CONCURRENCY = 65_536;
export const MAX_RATE_PER_S = 100_000;
export const MAX_EVENT_BYTES_LIMIT = 1024 ** 3;
/** Every request of a level is built before it starts; beyond this use --duration (a bounded pool). */
export const MAX_REQUESTS_PER_LEVEL = 1_000_000;
const concurrencyValue = positiveInt.max(MAX_CONCURRENCY, `at most ${MAX_CONCURRENCY} per process (beyond that: --distributed or --shard)`);

const sloTerm = z.object({
  metric: z.enum(["ttft_ms", "tpot_ms", "e2e_ms", "itl_ms"]),
  op: z.enum(["<=", "<", ">=", ">"]),
  value: z.number().nonnegative(),
  /** Aggregate term on the level's distribution: "p99", "mean", "median"; absent = per request. */
  stat: z
    .string()
    .regex(/^(p\d+(\.\d+)?|mean|median)$/)
    .optional(),
});

const requestCount = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("count"),
    n: positiveInt.max(MAX_REQUESTS_PER_LEVEL, `at most ${MAX_REQUESTS_PER_LEVEL} per level (for longer levels use --duration)`),
  }),
  z.object({ kind: z.literal("multiple"), factor: z.number().positive() }),
]);

/** Request-body fields servebench owns (what is measured depends on them). */
export const RESERVED_BODY_FIELDS: readonly string[] = ["model", "prompt", "messages", "max_tokens", "stream", "stream_options"];

export const runConfigSchema = z
  .object({
    /** Target base URL; absent = start the embedded simulator. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Model name sent in requests; absent = the first id from GET /v1/models. */
    model: z.string().min(1).optional(),
    /** tokenizer.json directory/file or a Hugging Face model id in the local cache; absent = bundled Qwen3. */
    tokenizer: z.string().min(1).optional(),
    endpoint: z.enum(ENDPOINTS).default("completions"),
    inputTokens: positiveInt.default(512),
    outputTokens: positiveInt.default(128),
    /** Send min_tokens = max_tokens and ignore_eos so every completion has exactly outputTokens. */
    exactOutput: z.boolean().default(true),
    strict: z.boolean().default(false),
    sharedPrefixTokens: z.number().int().nonnegative().default(0),
    prompt: z.string().min(1).optional(),
    dataset: z.string().min(1).optional(),
    datasetFormat: z.enum(["auto", "sharegpt", "json", "jsonl", "csv"]).default("auto"),
    /** Use this many dataset rows, chosen by a seeded shuffle (absent: every row, in file order). */
    datasetSample: positiveInt.optional(),
    /** Per-request input / output lengths drawn from a distribution (seeded), instead of fixed. */
    inputDist: lengthDistSchema.optional(),
    outputDist: lengthDistSchema.optional(),
    /** Shared-prefix groups: G system prompts of prefixTokens each; every request adds a unique suffix. */
    prefixGroups: positiveInt.optional(),
    prefixTokens: positiveInt.optional(),
    /** Suffix length per request; absent = inputTokens is the total. */
    suffixTokens: positiveInt.optional(),
    /** Multi-turn sessions of this many turns (chat only); each turn carries the history received. */
    turns: positiveInt.optional(),
    thinkTimeMs: z.number().nonnegative().default(0),
    /** How chat prompt tokens are counted: the server's /tokenize, the tokenizer's chat_template, or contents only. */
    chatTemplate: z.enum(["auto", "tokenizer", "server", "none"]).default("auto"),
    /** Replay a trace of arrival times and lengths instead of a synthetic schedule. */
    trace: z.string().min(1).optional(),
    traceFormat: z.enum(["auto", "servebench", "mooncake", "burstgpt"]).default("auto"),
    /** Trace timestamps are multiplied by this (0.5 replays twice as fast). */
    timeScale: z.number().positive().default(1),
    /** Tokens per hashed block of a Mooncake trace's hash_ids (Mooncake's traces use 512). */
    traceBlockTokens: positiveInt.default(512),
    concurrency: z.array(concurrencyValue).min(1).optional(),
    rate: z
      .array(z.number().positive().max(MAX_RATE_PER_S, `at most ${MAX_RATE_PER_S} req/s per process (beyond that: --distributed or --shard)`))
      .min(1)
      .optional(),
    arrival: z.enum(["poisson", "gamma", "constant"]).default("poisson"),
    /** Gamma shape: 1 = Poisson, < 1 burstier, > 1 smoother. */
    burstiness: z.number().positive().default(1),
    /** Open loop only: cap on in-flight requests; arrivals beyond it wait (queue wait is reported). */
    maxConcurrency: concurrencyValue.optional(),
    /** levels: the given concurrency/rate list; sweep: synchronous, throughput, then rates between; slo-search: highest load meeting --slo. */
    profile: z.enum(["levels", "sweep", "slo-search"]).default("levels"),
    /** Ramp from zero to the level's rate or concurrency over this long. */
    rampMs: z.number().positive().optional(),
    sweepRates: positiveInt.default(8),
    sweepMaxConcurrency: concurrencyValue.default(256),
    sloSearchBy: z.enum(["rate", "concurrency"]).default("rate"),
    /** Stop when (upper − lower) / upper is at most this. */
    sloTolerance: z.number().gt(0).lt(1).default(0.05),
    sloMaxLevels: positiveInt.default(12),
    /** First probe (req/s or concurrency). */
    sloStart: z.number().positive().optional(),
    /** Stop a level early when the error rate passes this fraction. */
    maxErrorRate: z.number().gt(0).max(1).optional(),
    /** Stop a level early when queue wait grows without bound (default on for sweep and slo-search). */
    stopOnSaturation: z.boolean().optional(),
    /** Requests per level; default DEFAULT_REQUESTS (2x), or unlimited when only a duration is given. */
    requests: requestCount.optional(),
    durationMs: z.number().positive().optional(),
    warmup: z.number().int().nonnegative().default(0),
    timeoutMs: z.number().positive().default(600_000),
    slo: z.array(sloTerm).default([]),
    percentiles: z.array(z.number().gt(0).lt(100)).min(1).default([50, 90, 95, 99]),
    seed: z.number().int().nonnegative().default(0),
    /** Worker threads generating the load (docs/scale-out.md); 1 = this thread. At most one per core. */
    workers: positiveInt
      .refine((n) => n <= availableParallelism(), { message: `at most one worker per core (this machine has ${availableParallelism()})` })
      .default(1),
    /** Bound on one SSE line or event from the server; past it the request fails with "sse_too_large". */
    maxEventBytes: positiveInt.max(MAX_EVENT_BYTES_LIMIT, "at most 1 GiB").default(4 * 1024 * 1024),
    /** This process runs share `index` of `count` of every level (run --shard I/N). */
    shard: z
      .object({ index: z.number().int().nonnegative(), count: positiveInt })
      .refine((s) => s.index < s.count, "index must be below count")
      .optional(),
    /** With shard: the common wall-clock start instant (epoch ms) every shard measures from. */
    startAtEpochMs: positiveInt.optional(),
    /** With shard: a directory every shard can write (a shared volume); later levels start together through it. */
    barrierDir: z.string().min(1).optional(),
    /** How long a level barrier waits, after the first shard arrives, for the rest before starting without them. */
    barrierTimeoutMs: z.number().positive().default(600_000),
    /** Added to the last shard's arrival: time for every shard to see the barrier's decision before its instant. */
    barrierMarginMs: z.number().nonnegative().default(1000),
    /** Sharded --duration levels without a barrier directory: pause between one level's end and the next one's start. */
    levelGapMs: z.number().nonnegative().default(10_000),
    out: z.string().min(1).optional(),
    apiKeyEnv: z.string().min(1).default("OPENAI_API_KEY"),
    /**
     * Engine-specific fields merged into every request body (llama.cpp `cache_prompt: false`,
     * `grammar`; vLLM `top_k`). The fields servebench sets itself (model, prompt or messages,
     * max_tokens, stream, stream_options) cannot be replaced: that would change what is measured.
     */
    extraBody: z
      .record(z.string(), z.unknown())
      .refine((b) => RESERVED_BODY_FIELDS.every((k) => !(k in b)), { message: `may not set ${RESERVED_BODY_FIELDS.join(", ")}: servebench sets them` })
      .optional(),
    /** Count received text with the client tokenizer (cross-check of usage). Costs CPU per token. */
    clientTokenCheck: z.boolean().default(true),
    metricsUrl: z.url().optional(),
    metrics: z.boolean().default(true),
    metricsIntervalMs: z.number().positive().default(1000),
    waitReadyMs: z.number().nonnegative().default(0),
    serverCmd: z.string().optional(),
    gpuInfoCmd: z.string().optional(),
    /** What one GPU of the target costs per hour, in US dollars: levels then report $ per million tokens. */
    gpuHourlyCostUsd: z.number().positive().optional(),
    /** This fraction of each level's requests is cancelled by the client, as impatient users do. */
    cancelRate: z.number().gt(0).max(1).optional(),
    /** When a cancelled request is given up: this long after its send, or after this many streamed chunks. */
    cancelAfter: z
      .discriminatedUnion("kind", [
        z.object({ kind: z.literal("ms"), ms: z.number().positive() }),
        z.object({ kind: z.literal("tokens"), tokens: z.number().int().positive() }),
      ])
      .optional(),
    /** Where GPU power is read each --metrics-interval: auto, none, nvidia-smi, rocm-smi, cmd:<command>, dcgm:<url>. */
    power: z
      .string()
      .refine(
        (v) => /^(auto|none|nvidia-smi|rocm-smi)$|^cmd:.+|^dcgm:https?:\/\/\S+$/.test(v.trim()),
        "expected auto, none, nvidia-smi, rocm-smi, cmd:<command> or dcgm:<url>",
      )
      .default("auto"),
    /** GPUs the target runs on (default: the embedded simulator's tp × pp, else 1). */
    gpuCount: positiveInt.optional(),
    sim: simConfigSchema.default(simConfigSchema.parse({})),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.shard !== undefined && cfg.profile !== "levels") {
      ctx.addIssue({
        code: "custom",
        path: ["shard"],
        message: `the ${cfg.profile} profile picks levels from results, which differ per shard: use the levels profile`,
      });
    }
    if (cfg.startAtEpochMs !== undefined && cfg.shard === undefined) {
      ctx.addIssue({ code: "custom", path: ["startAtEpochMs"], message: "--start-at needs --shard" });
    }
    if (cfg.url !== undefined) {
      const given = EMBEDDED_ONLY_FIELDS.find((k) => cfg.sim[k] !== undefined);
      if (given !== undefined)
        ctx.addIssue({ code: "custom", path: ["sim", given], message: "configures the embedded simulator, which --url replaces: drop one of them" });
    }
    if (cfg.barrierDir !== undefined && (cfg.shard === undefined || cfg.startAtEpochMs === undefined)) {
      ctx.addIssue({ code: "custom", path: ["barrierDir"], message: "--barrier-dir needs --shard and --start-at (the shards of one run share it)" });
    }
    if (cfg.requests?.kind === "multiple") {
      const most = Math.max(...(cfg.concurrency ?? cfg.rate ?? [16]));
      if (cfg.requests.factor * most > MAX_REQUESTS_PER_LEVEL) {
        ctx.addIssue({
          code: "custom",
          path: ["requests"],
          message: `${cfg.requests.factor}x of ${most} is more than ${MAX_REQUESTS_PER_LEVEL} requests per level (for longer levels use --duration)`,
        });
      }
    }
    if ((cfg.cancelRate === undefined) !== (cfg.cancelAfter === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [cfg.cancelRate === undefined ? "cancelRate" : "cancelAfter"],
        message: "--cancel-rate and --cancel-after go together (which share, and when)",
      });
    }
    if (cfg.cancelRate !== undefined && cfg.workers > 1) {
      ctx.addIssue({ code: "custom", path: ["cancelRate"], message: "cancellation runs on one load thread: drop --workers" });
    }
    if (cfg.concurrency && cfg.rate) {
      ctx.addIssue({ code: "custom", path: ["rate"], message: "use either concurrency or rate, not both" });
    }
    if (cfg.prompt && cfg.dataset) {
      ctx.addIssue({ code: "custom", path: ["dataset"], message: "use either prompt or dataset, not both" });
    }
    if (cfg.sharedPrefixTokens >= cfg.inputTokens && !cfg.prompt && !cfg.dataset) {
      ctx.addIssue({
        code: "custom",
        path: ["sharedPrefixTokens"],
        message: `must be smaller than inputTokens (${cfg.inputTokens})`,
      });
    }
    workloadRefinements(cfg, (path, message) => ctx.addIssue({ code: "custom", path: [path], message }));
  });

export type RunConfigInput = z.input<typeof runConfigSchema>;
export type RunConfig = z.output<typeof runConfigSchema>;

/**
 * Concurrency levels used when neither concurrency nor rate is given: a newcomer's small sweep. With
 * DEFAULT_REQUESTS it reaches past the default simulator preset's saturation knee (c=16, where 16 → 32
 * streams add ~17 % throughput and ~70 % latency) in under 40 s; 3x of these levels would take ~54 s.
 */
export const DEFAULT_CONCURRENCY = [1, 4, 16, 32] as const;

/** Requests per level when neither requests nor a duration is given: 2 × the level's concurrency (or rate). */
export const DEFAULT_REQUESTS = { kind: "multiple", factor: 2 } as const;
