// Owns the zod schema of summary.json as it is read back (report, compare, import, merge, resume,
// cells.csv): every number the renderers and thresholds compute with must be a number, fields that
// are legitimately missing or null stay so, and unknown extra fields are kept (adding fields is a
// compatible change). parseSummary throws a BenchError naming the file and the field path.

import { z } from "zod";
import { parseWithSchema } from "../config/read-schema.js";
import type { RunSummary } from "./run-summary.js";
import { SUMMARY_SCHEMA } from "./run-summary.js";
import { ENDPOINTS } from "../workload/request-spec.js";

const num = z.number();
const count = z.number().int().nonnegative();
const nullableNum = z.number().nullable();

/** count/mean/median/std/min/max and every pNN: numbers, never null. */
const distribution = z.looseObject({ count, mean: num, median: num, std: num, min: num, max: num }).catchall(num);
const optDist = distribution.optional();

const loadExtras = { ramp_s: num.optional(), role: z.enum(["synchronous", "throughput", "sweep", "probe"]).optional() };
const load = z.discriminatedUnion("kind", [
  z.looseObject({ kind: z.literal("concurrency"), concurrency: num, ...loadExtras }),
  z.looseObject({
    kind: z.literal("rate"), rate_per_s: num, arrival: z.string(), burstiness: num,
    max_concurrency: num.optional(), time_scale: num.optional(), ...loadExtras,
  }),
]);

const turnSplit = z.looseObject({ requests: count, ttft_ms: optDist, e2e_ms: optDist, input_tokens: optDist });

const level = z.looseObject({
  level: z.number().int().nonnegative(),
  load,
  requests: z.looseObject({ sent: count, completed: count, errored: count, aborted: count, warmup: count }),
  errors_by_code: z.record(z.string(), count),
  duration_s: num,
  request_per_s: num,
  input_tokens_per_s: num,
  output_tokens_per_s: num,
  total_tokens_per_s: num,
  input_tokens_total: num,
  output_tokens_total: num,
  ttft_ms: optDist, ttfc_ms: optDist, tpot_ms: optDist, itl_ms: optDist, e2e_ms: optDist, send_delay_ms: optDist,
  decode_tokens_per_s: optDist, prefill_tokens_per_s: optDist, input_tokens: optDist, output_tokens: optDist,
  goodput: z.looseObject({ slo: z.string(), good: count, fraction: num, request_per_s: num }).optional(),
  strict: z.looseObject({}).optional(),
  // Telemetry: null means the engine gave no data for that field.
  server: z.looseObject({ prefix_cache_hit_rate: nullableNum.optional() }).optional(),
  client_token_check: z.looseObject({ checked: count, differing: count, max_abs_diff: num, tokenizer: z.string() }).optional(),
  cross_check: z.array(z.string()).optional(),
  by_turn: z.looseObject({ first: turnSplit, later: turnSplit }).optional(),
  prefix_cache: z.looseObject({ groups: count, prefix_tokens: num, best_case_hit_rate: num, measured_hit_rate: nullableNum }).optional(),
  slo_check: z.looseObject({ met: z.boolean(), terms: z.array(z.looseObject({ term: z.string(), actual: nullableNum, met: z.boolean() })) }).optional(),
  stopped_early: z.string().optional(),
  interrupted: z.boolean(),
  warnings: z.array(z.string()),
});

const run = z.looseObject({
  started_at: z.string(),
  finished_at: z.string().optional(),
  target: z.string(),
  embedded_simulator: z.boolean(),
  simulator: z
    .looseObject({
      engine: z.string(),
      description: z.string(),
      model: z.string(),
      dialect: z.string(),
      max_model_len: num,
      preset: z.string().optional(),
      gpu: z.string().optional(),
      dtype: z.string().optional(),
    })
    .optional(),
  model: z.string(),
  endpoint: z.enum(ENDPOINTS),
  tokenizer: z.string(),
  workload: z.string(),
  input_tokens: num.optional(),
  output_tokens: num.optional(),
  strict: z.boolean(),
  slo: z.string().optional(),
  percentiles: z.array(num),
  seed: num,
  predicted: z.boolean(),
  interrupted: z.boolean(),
  input_token_count: z.string().optional(),
  max_model_len: num.optional(),
  profile: z.string().optional(),
  slo_max_rate_per_s: nullableNum.optional(),
  slo_max_concurrency: nullableNum.optional(),
  slo_search: z.looseObject({}).optional(),
  imported: z.looseObject({ source: z.string(), row: num }).optional(),
  scale: z.looseObject({}).optional(),
});

export const runSummarySchema = z.looseObject({
  schema: z.literal(SUMMARY_SCHEMA, { error: `expected "${SUMMARY_SCHEMA}" (not a servebench summary)` }),
  servebench_version: z.string(),
  run,
  levels: z.array(level),
});

/**
 * Checks a decoded summary.json read from `file`.
 * @example const summary = parseSummary(JSON.parse(readFileSync(path, "utf8")), path);
 */
export function parseSummary(value: unknown, file: string): RunSummary {
  return parseWithSchema(runSummarySchema, value, file) as unknown as RunSummary;
}
