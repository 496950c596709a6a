// Bench: for each workload kind, 1,000 requests against the embedded simulator, and the requested
// vs actual (server `usage`) input and output token counts: exact where the feature promises it,
// otherwise the error distribution. `npm run bench:workload [-- --requests N]`.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBenchmark } from "../src/run/run-benchmark.js";
import { SALT_INPUT, SALT_OUTPUT } from "../src/run/request-source.js";
import type { RunConfigInput } from "../src/config/run-config.js";
import { parseLengthDist } from "../src/config/length-dist.js";
import { createLengthSampler } from "../src/workload/length-sampler.js";
import { loadTrace } from "../src/workload/trace.js";

const args = process.argv.slice(2);
const REQUESTS = Number(args[args.indexOf("--requests") + 1] ?? 1000) || 1000;
const SEED = 11;
const FIXTURES = new URL("../../test/fixtures/workload/", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "servebench-workload-bench-"));

interface Row {
  usage: { promptTokens?: number; completionTokens?: number } | undefined;
  targetInputTokens: number;
  targetOutputTokens: number | undefined;
  index: number;
  turn?: number;
  outcome: string;
}

/** What the user asked for, per request (by index), independent of what servebench computed. */
type Requested = (r: Row) => { input: number | undefined; output: number | undefined };

interface Case {
  name: string;
  promise: string;
  config: RunConfigInput;
  requested: Requested;
}

const sampled = (spec: string, salt: number) => createLengthSampler(parseLengthDist(spec, "bench"), SEED, salt);
const lognIn = sampled("lognormal:mean=600,sigma=0.6,max=4000", SALT_INPUT);
const lognOut = sampled("lognormal:mean=48,sigma=0.5,max=256", SALT_OUTPUT);
const trace = writeTrace();

const base: RunConfigInput = {
  sim: { ttftMs: 2, perTokenMs: 0.3, batchSlowdown: 0 },
  concurrency: [48],
  requests: { kind: "count", n: REQUESTS },
  seed: SEED,
  clientTokenCheck: false,
  metricsIntervalMs: 500,
  strict: true,
};

const cases: Case[] = [
  { name: "synthetic fixed (completions)", promise: "exact", config: { inputTokens: 512, outputTokens: 64 }, requested: () => ({ input: 512, output: 64 }) },
  {
    name: "synthetic lognormal in/out (completions)",
    promise: "exact",
    config: { inputDist: "lognormal:mean=600,sigma=0.6,max=4000", outputDist: "lognormal:mean=48,sigma=0.5,max=256" },
    requested: (r) => ({ input: lognIn(r.index), output: lognOut(r.index) }),
  },
  {
    name: "synthetic lognormal in/out (chat, template)",
    promise: "exact",
    config: { endpoint: "chat", inputDist: "lognormal:mean=600,sigma=0.6,max=4000", outputDist: "lognormal:mean=48,sigma=0.5,max=256" },
    requested: (r) => ({ input: lognIn(r.index), output: lognOut(r.index) }),
  },
  {
    name: "synthetic chat, --chat-template none",
    promise: "output only (input = contents, template not counted)",
    config: { endpoint: "chat", inputTokens: 512, outputTokens: 64, chatTemplate: "none" },
    requested: () => ({ input: 512, output: 64 }),
  },
  {
    name: "prefix groups 8×256 + 128 (completions)",
    promise: "exact",
    config: { prefixGroups: 8, prefixTokens: 256, suffixTokens: 128, outputTokens: 32 },
    requested: () => ({ input: 384, output: 32 }),
  },
  {
    name: "prefix groups 8×256 + 128 (chat, template)",
    promise: "exact (total = P + S + template)",
    config: { endpoint: "chat", prefixGroups: 8, prefixTokens: 256, suffixTokens: 128, outputTokens: 32 },
    requested: (r) => ({ input: r.targetInputTokens, output: 32 }),
  },
  {
    name: "ShareGPT sample (chat, template)",
    promise: "exact: input = template count, output = recorded answer's length",
    config: { endpoint: "chat", dataset: join(FIXTURES, "sharegpt-sample.json") },
    requested: (r) => ({ input: r.targetInputTokens, output: r.targetOutputTokens }),
  },
  {
    name: "multi-turn 4 turns (chat, template)",
    promise: "exact (history with the answers received)",
    config: { endpoint: "chat", turns: 4, inputTokens: 200, outputTokens: 40, requests: { kind: "count", n: Math.ceil(REQUESTS / 4) } },
    requested: (r) => ({ input: r.targetInputTokens, output: 40 }),
  },
  {
    name: `trace replay (servebench JSONL, ${REQUESTS} arrivals, time scale 0.05)`,
    promise: "exact",
    config: { trace: trace.file, timeScale: 0.05, concurrency: undefined, requests: undefined },
    requested: (r) => ({ input: trace.entries[r.index]?.inputTokens, output: trace.entries[r.index]?.outputTokens }),
  },
];

const lines: string[] = [
  `requests per kind: ${REQUESTS} (multi-turn: ${Math.ceil(REQUESTS / 4)} sessions × 4 turns), embedded simulator, bundled Qwen3 tokenizer, seed ${SEED}`,
  "",
  "| workload | promise | ok | input exact | input error (actual − requested): min / p50 / max | output exact | output error: min / p50 / max | count method |",
  "|---|---|---|---|---|---|---|---|",
];
for (const c of cases) {
  const out = join(tmp, c.name.replace(/\W+/g, "-"));
  const t0 = performance.now();
  const { summary } = await runBenchmark({ ...base, ...c.config, out });
  const rows = readFileSync(join(out, "requests.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Row)
    .filter((r) => r.outcome === "ok");
  const inErr = rows.map((r) => (r.usage?.promptTokens ?? NaN) - (c.requested(r).input ?? NaN));
  const outErr = rows.map((r) => (r.usage?.completionTokens ?? NaN) - (c.requested(r).output ?? NaN));
  lines.push(
    `| ${c.name} | ${c.promise} | ${rows.length} | ${exact(inErr)} | ${spread(inErr)} | ${exact(outErr)} | ${spread(outErr)} | ${summary.run.input_token_count ?? ""} |`,
  );
  process.stderr.write(`${c.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
process.stdout.write(`${lines.join("\n")}\n`);

function exact(errors: number[]): string {
  const n = errors.filter((e) => e === 0).length;
  return `${n}/${errors.length}`;
}

function spread(errors: number[]): string {
  const sorted = [...errors].sort((a, b) => a - b);
  if (sorted.length === 0) return "—";
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))] as number;
  return `${at(0)} / ${at(0.5)} / ${at(1)}`;
}

/** A trace of REQUESTS arrivals with lognormal lengths (what a production log looks like), as servebench JSONL. */
function writeTrace(): { file: string; entries: ReturnType<typeof loadTrace>["entries"] } {
  const file = join(tmp, "trace.jsonl");
  const gaps = sampled("lognormal:mean=40,sigma=1", 0x7777);
  let atMs = 0;
  const text = Array.from({ length: REQUESTS }, (_, i) => {
    atMs += gaps(i);
    return JSON.stringify({ timestamp_ms: atMs, input_tokens: lognIn(i + 5000), output_tokens: lognOut(i + 5000) });
  }).join("\n");
  writeFileSync(file, `${text}\n`);
  return { file, entries: loadTrace(file).entries };
}
