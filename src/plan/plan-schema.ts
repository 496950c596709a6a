// Owns the plan file's zod schema: servers, workloads, loads, matrix, slo, out. Workload and load
// fields are taken from runConfigSchema (never redefined here). Built twice: a templated form that
// also accepts `${var}` where a number or enum goes (the file and its JSON Schema), and an exact
// form used to check each cell after expansion.

import { z } from "zod";
import { runConfigSchema } from "../config/run-config.js";
import { parseDurationMs } from "../config/units.js";

export const VAR_REF = /^\$\{[^}]+\}$/;
const varRef = z.string().regex(VAR_REF, { message: "expected a ${variable}", abort: true });
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const DIM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const name = z.string().regex(NAME, "names use letters, digits, _ . - and start with a letter or _");

const RUN_SHAPE = runConfigSchema.shape as unknown as Record<string, z.ZodType>;
/** `run` fields a plan never sets per cell: the launcher supplies the target, the plan the directory. */
const NOT_IN_PLANS: ReadonlySet<string> = new Set(["url", "out", "sim", "serverCmd", "waitReadyMs"]);
const LOAD_CANDIDATES = [
  "concurrency",
  "rate",
  "arrival",
  "burstiness",
  "maxConcurrency",
  "requests",
  "durationMs",
  "warmup",
  "profile",
  "rampMs",
  "sweepRates",
  "sweepMaxConcurrency",
  "sloSearchBy",
  "sloTolerance",
  "sloMaxLevels",
  "sloStart",
  "maxErrorRate",
  "stopOnSaturation",
];
/** Fields a load may set (how requests are sent); a load's value wins over the workload's. */
export const LOAD_FIELDS: readonly string[] = LOAD_CANDIDATES.filter((k) => k in RUN_SHAPE);
/** Fields a workload may set: everything `run` accepts, except what the plan itself provides. */
export const WORKLOAD_FIELDS: readonly string[] = Object.keys(RUN_SHAPE).filter((k) => !NOT_IN_PLANS.has(k));
/** Fields given in milliseconds that also accept a duration string ("60s", "10m"). */
export const DURATION_FIELDS: ReadonlySet<string> = new Set(
  Object.keys(RUN_SHAPE).filter((k) => k.endsWith("Ms") && bare(RUN_SHAPE[k] as z.ZodType) instanceof z.ZodNumber),
);

const durationText = z.string().regex(/^\s*\d+(?:\.\d+)?\s*(?:ms|s|m|h)\s*$/, "expected a duration like 500ms, 60s, 10m or 1h");
const duration = z
  .union([z.number().positive(), durationText])
  .transform((v) => (typeof v === "number" ? v : parseDurationMs(v, "duration")))
  .describe("milliseconds, or a duration string such as 60s or 10m");
const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** Text that may be written unquoted as a number in YAML (`--port, 8000`). */
const text = scalar.transform((v) => String(v));

export function bare(schema: z.ZodType): z.ZodType {
  let cur = schema;
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional) cur = cur.unwrap() as z.ZodType;
  return cur;
}

function build(templated: boolean) {
  const slo = z.union([z.string(), bare(RUN_SHAPE["slo"] as z.ZodType)]).describe('goodput objective, e.g. "ttft_ms<=500,tpot_ms<=50"');
  // Typed as the exact schema: the templated form's output is only ever handled as unknown data
  // on its way to expansion, and the exact form is what the rest of the code reads.
  const tv = <T extends z.ZodType>(s: T): T => (templated ? (z.union([s, varRef]) as unknown as T) : s);

  /** A run-config field as the plan accepts it: optional (defaults stay in runConfigSchema). */
  function runField(key: string): z.ZodType {
    if (DURATION_FIELDS.has(key)) return tv(duration).optional();
    if (key === "requests") {
      const multiple = z.string().regex(/^\s*\d+(?:\.\d+)?x\s*$/i, "expected N or Nx, e.g. 30 or 3x");
      return tv(z.union([z.number().int().positive(), multiple, bare(RUN_SHAPE["requests"] as z.ZodType)])).optional();
    }
    if (key === "slo") return slo.optional();
    const inner = bare(RUN_SHAPE[key] as z.ZodType);
    if (inner instanceof z.ZodString) return inner.optional();
    if (inner instanceof z.ZodArray) return tv(z.array(tv(inner.element as z.ZodType))).optional();
    return tv(inner).optional();
  }
  const fields = (keys: readonly string[]): Record<string, z.ZodType> => Object.fromEntries(keys.map((k) => [k, runField(k)]));

  const workload = z
    .strictObject({
      ...fields(WORKLOAD_FIELDS),
      system: z.string().optional().describe("prompt variant: a system message for chat (a first paragraph for completions), e.g. asking for brevity"),
    })
    .describe("what to send: any `run` field (camelCase, as in RunConfigInput) except url, out, sim; plus `system`");
  const load = z.strictObject(fields(LOAD_FIELDS)).describe("how to send it: concurrency or rate levels, request counts, durations, warmup");

  const health = z
    .union([
      z.literal(false),
      z.strictObject({
        intervalMs: tv(duration).default(5000),
        failAfter: tv(z.number().int().positive()).default(6).describe("consecutive failed /health checks that fail the cell"),
      }),
    ])
    .default({ intervalMs: 5000, failAfter: 6 })
    .describe("watch /health during a cell; false disables");
  const common = {
    readyTimeoutMs: tv(duration).default(600_000).describe("deadline for /health and /v1/models to answer 200"),
    health,
    gpuHourlyCostUsd: tv(z.number().positive())
      .optional()
      .describe("what one of this server's GPUs costs per hour (USD): its cells report $ per million tokens (a workload's own value wins)"),
    gpuCount: tv(z.number().int().positive()).optional().describe("GPUs this server runs on, for gpuHourlyCostUsd (default 1)"),
  };
  const restart = z
    .enum(["on-change", "always"])
    .default("on-change")
    .describe("on-change: keep the server between consecutive cells with the same launch spec");

  const local = z.strictObject({
    kind: z.literal("local"),
    command: z.array(text).min(1).describe("argv, no shell; ${port} is the chosen port"),
    cwd: z.string().optional().describe("working directory, relative to the plan file (default: the plan file's directory)"),
    env: z.record(z.string(), scalar).optional().describe("extra environment variables"),
    inheritEnv: tv(z.boolean()).default(true),
    host: z.string().default("127.0.0.1"),
    port: tv(z.union([z.literal("auto"), z.number().int().min(1).max(65535)])).default("auto"),
    url: z.string().optional().describe("base URL to benchmark (default http://<host>:<port>)"),
    stopGraceMs: tv(duration).default(30_000).describe("SIGTERM to the process group, SIGKILL after this"),
    restart,
    ...common,
  });
  const existing = z.strictObject({
    kind: z.literal("existing"),
    url: z.string().describe("base URL of a server servebench does not manage"),
    reset: z
      .strictObject({
        method: z.enum(["GET", "POST", "PUT", "DELETE"]).default("POST"),
        path: z.string().describe("e.g. /reset_prefix_cache (vLLM)"),
        body: z.unknown().optional(),
      })
      .optional()
      .describe("request sent before every cell but the first"),
    ...common,
    readyTimeoutMs: tv(duration).default(30_000),
  });
  const kubernetes = z
    .strictObject({
      kind: z.literal("kubernetes"),
      namespace: z.string().default("default"),
      context: z.string().optional().describe("kube context (--context / --kube-context); default: the current one"),
      kubectl: z.string().default("kubectl"),
      helmBin: z.string().default("helm"),
      helm: z
        .strictObject({
          release: z.string(),
          chart: z.string(),
          version: z.string().optional(),
          values: z.record(z.string(), z.unknown()).optional().describe("written to values.yaml in the cell directory, passed with -f"),
          valuesFiles: z.array(z.string()).optional(),
          args: z.array(text).optional().describe("extra arguments for helm upgrade --install"),
        })
        .optional(),
      manifest: z.string().optional().describe("manifest template (${var} expanded), applied with kubectl apply -f"),
      rollout: z.array(z.string()).optional().describe("resources to wait for, e.g. deployment/vllm (default for helm: deployment/<release>)"),
      url: z.string().optional().describe("Service URL reachable from here; otherwise use portForward"),
      portForward: z.strictObject({ resource: z.string().describe("e.g. svc/vllm"), port: tv(z.number().int().min(1).max(65535)) }).optional(),
      logs: z.strictObject({ selector: z.string().optional(), resource: z.string().optional() }).optional().describe("pods whose logs become server.log"),
      stopGraceMs: tv(duration).default(120_000),
      restart,
      ...common,
    })
    .superRefine((k, ctx) => {
      if ((k.helm === undefined) === (k.manifest === undefined))
        ctx.addIssue({ code: "custom", path: ["helm"], message: "give exactly one of helm or manifest" });
      if ((k.url === undefined) === (k.portForward === undefined))
        ctx.addIssue({ code: "custom", path: ["url"], message: "give exactly one of url or portForward" });
    });
  const server = z.discriminatedUnion("kind", [local, existing, kubernetes]);

  const dims = z.record(z.string().regex(DIM_NAME, "dimension names use letters, digits and _"), scalar);
  const matrix = z
    .strictObject({
      dimensions: z.record(z.string().regex(DIM_NAME, "dimension names use letters, digits and _"), z.array(scalar).min(1)).default({}),
      include: z.array(dims).default([]).describe("GitHub-Actions style: extend matching cells with extra keys, or add a cell"),
      exclude: z.array(dims).default([]).describe("drop every cell matching all keys of an entry"),
      repeat: z.number().int().positive().default(1),
    })
    .default({ dimensions: {}, include: [], exclude: [], repeat: 1 })
    .describe("server, workload and load are dimensions too; when not listed, every entry is crossed");

  const plan = z.strictObject({
    $schema: z.string().optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    servers: z.record(name, server).refine((s) => Object.keys(s).length > 0, "needs at least one server"),
    workloads: z.record(name, workload).default({ default: {} }),
    loads: z.record(name, load).default({ default: {} }),
    matrix,
    slo: slo.optional(),
    cellTimeoutMs: tv(duration).optional().describe("a cell running longer than this fails"),
    out: z.string().optional().describe("results directory, relative to the current directory (--out overrides)"),
  });
  return { plan, server, workload, load };
}

const templated = build(true);
const exact = build(false);

/** The plan file as written: `${var}` allowed anywhere a value goes. */
export const planFileSchema = templated.plan;
/** One server after expansion (no `${var}` left except `${port}`). */
export const serverSpecSchema = exact.server;

export type PlanFile = z.output<typeof planFileSchema>;
export type ServerSpec = z.output<typeof serverSpecSchema>;
export type LocalServerSpec = Extract<ServerSpec, { kind: "local" }>;
export type ExistingServerSpec = Extract<ServerSpec, { kind: "existing" }>;
export type KubernetesServerSpec = Extract<ServerSpec, { kind: "kubernetes" }>;
export type Scalar = string | number | boolean;

/** Every field name a plan knows, for "did you mean" hints. */
export const PLAN_VOCABULARY: readonly string[] = [
  ...new Set([
    ...WORKLOAD_FIELDS,
    "system",
    ...Object.keys(templated.plan.shape),
    ...serverSpecSchema.options.flatMap((o) => Object.keys(o.shape)),
    "dimensions",
    "include",
    "exclude",
    "repeat",
  ]),
];

/** The published JSON Schema (docs/plan.schema.json), for editors. */
export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(planFileSchema, { io: "input", unrepresentable: "any" });
  return {
    $schema: schema.$schema,
    title: "servebench experiment plan",
    description: "servers × workloads × loads, run cell by cell by `servebench plan run`",
    ...schema,
  };
}
