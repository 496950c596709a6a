// The JSON Schemas in docs/ are the ones the code reads with, and real outputs match them: a run
// of the simulator (completions and multi-turn chat) is validated file by file, and no record
// carries a field the published schema does not name.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runBenchmark } from "../../src/index.js";
import { PUBLISHED_SCHEMAS, renderJsonSchema } from "../../src/report/json-schemas.js";
import { envRecordSchema, requestRecordSchema } from "../../src/results/record-schema.js";
import { runSummarySchema } from "../../src/results/summary-schema.js";

const work = mkdtempSync(join(tmpdir(), "servebench-schemas-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("published schemas", () => {
  it.each(Object.keys(PUBLISHED_SCHEMAS) as Array<keyof typeof PUBLISHED_SCHEMAS>)(
    "docs/%s is generated from the code's schema (npm run docs:schemas)",
    (name) => {
      expect(readFileSync(new URL(`../../docs/${name}`, import.meta.url), "utf8")).toBe(renderJsonSchema(name));
    },
  );

  it.each([
    ["completions", { endpoint: "completions" as const, sim: {} }],
    [
      "multi-turn chat with reasoning and cost",
      { endpoint: "chat" as const, turns: 2, gpuHourlyCostUsd: 2, sim: { reasoningTokens: 3, dialect: "sglang" as const } },
    ],
  ] as const)("a real run's files match them: %s", async (name, extra) => {
    const out = join(work, name.replace(/\W+/g, "-"));
    await runBenchmark({
      concurrency: [2],
      requests: { kind: "count", n: 4 },
      inputTokens: 48,
      outputTokens: 8,
      out,
      ...extra,
      sim: { ttftMs: 2, perTokenMs: 1, ...extra.sim },
    });
    expect(runSummarySchema.safeParse(JSON.parse(readFileSync(join(out, "summary.json"), "utf8"))).error).toBeUndefined();
    expect(envRecordSchema.safeParse(JSON.parse(readFileSync(join(out, "env.json"), "utf8"))).error).toBeUndefined();
    const known = new Set(Object.keys(requestRecordSchema.shape));
    const lines = readFileSync(join(out, "requests.jsonl"), "utf8").trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(requestRecordSchema.safeParse(record).error).toBeUndefined();
      expect(Object.keys(record).filter((k) => !known.has(k))).toEqual([]);
    }
  });
});
