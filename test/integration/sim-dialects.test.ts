// The one contract every simulated dialect must keep, checked with the real client over loopback:
// streams a client can consume with exact token counts, the server's refusals, readiness, models,
// and /metrics fed by the engine. Per-dialect byte checks live in src/sim/dialects/*.test.ts.

import { afterEach, describe, expect, it } from "vitest";
import { monotonicNowMs } from "../../src/clock.js";
import { StreamingClient } from "../../src/client/http-client.js";
import { DIALECT_NAMES, startSimulator } from "../../src/sim/index.js";
import type { DialectName, RunningSimulator, SimulatorOptions } from "../../src/sim/index.js";
import type { RequestSpec } from "../../src/workload/request-spec.js";

let sims: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function sim(dialect: DialectName, options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const s = await startSimulator({
    dialect,
    model: "Qwen/Qwen3-8B",
    ttftMs: 2,
    perTokenMs: 1,
    maxModelLen: 4096,
    promptTokenCounter: (t) => t.split(" ").length,
    ...options,
  });
  sims.push(s);
  return s;
}

function client(s: RunningSimulator, endpoint: "chat" | "completions", timeoutMs = 10_000): StreamingClient {
  return new StreamingClient({ baseUrl: s.url, endpoint, model: "Qwen/Qwen3-8B", timeoutMs, maxConnections: 8, ignoreEos: false, exactOutput: true });
}

const spec = (endpoint: "chat" | "completions", inputTokens: number, out: number): RequestSpec => {
  const text = Array.from({ length: inputTokens }, () => "word").join(" ");
  return endpoint === "chat"
    ? { index: 0, messages: [{ role: "user", content: text }], inputTokens, targetOutputTokens: out }
    : { index: 0, prompt: text, inputTokens, targetOutputTokens: out };
};

const meta = { id: "0-0", level: 0, warmup: false, scheduledMs: 0, originMs: monotonicNowMs() };

describe.each(DIALECT_NAMES.map((d) => [d]))("dialect %s", (dialect) => {
  it.each([["chat"], ["completions"]] as const)("streams %s with exact token counts a real client reads", async (endpoint) => {
    const s = await sim(dialect);
    const c = client(s, endpoint);
    const { record } = await c.send(spec(endpoint, 12, 9), { ...meta, originMs: monotonicNowMs() });
    await c.close();
    expect(record.outcome, JSON.stringify(record.error)).toBe("ok");
    expect(record.usage?.completionTokens).toBe(9);
    expect(record.usage?.promptTokens).toBe(12);
    expect(record.tokenChunkMs.length).toBe(9);
    expect(record.finishReason).toBe("length");
    expect(s.stats().finished.length).toBe(1);
  });

  it("refuses a too-long request with a 4xx the client records", async () => {
    const s = await sim(dialect, { maxModelLen: 64 });
    const c = client(s, "completions");
    const { record } = await c.send(spec("completions", 40, 30), { ...meta, originMs: monotonicNowMs() });
    await c.close();
    expect(record.outcome).toBe("error");
    expect(record.error?.httpStatus).toBeGreaterThanOrEqual(400);
    expect(record.error?.httpStatus).toBeLessThan(500);
    expect(s.stats().rejected).toBe(1);
  });

  it("answers /health 503 while loading, then 200; lists the model", async () => {
    const s = await sim(dialect, { loadTimeMs: 300 });
    expect((await fetch(`${s.url}/health`)).status).toBe(503);
    await new Promise((r) => setTimeout(r, 350));
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
    const models = (await (await fetch(`${s.url}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data[0]?.id).toBe("Qwen/Qwen3-8B");
  });

  it("serves /metrics from engine state (or 404 where the server has none)", async () => {
    const s = await sim(dialect);
    const c = client(s, "completions");
    await c.send(spec("completions", 8, 5), { ...meta, originMs: monotonicNowMs() });
    await c.close();
    const res = await fetch(`${s.url}/metrics`);
    if (dialect === "vllm-rs") return expect(res.status).toBe(404);
    const text = await res.text();
    const generated: Record<string, RegExp> = {
      vllm: /^vllm:generation_tokens_total\{[^}]*\} 5\.0$/m,
      "vllm-v0": /^vllm:generation_tokens_total\{[^}]*\} 5\.0$/m,
      sglang: /^sglang:generation_tokens_total\{[^}]*\} 5\.0$/m,
      tgi: /^tgi_request_generated_tokens_sum 5$/m,
      llamacpp: /^llamacpp:tokens_predicted_total 5$/m,
    };
    expect(text).toMatch(generated[dialect] ?? /never/);
  });
});

describe("model names", () => {
  it("vLLM answers 404 for another model; servers that ignore `model` serve it", async () => {
    for (const dialect of DIALECT_NAMES) {
      const s = await sim(dialect);
      const res = await fetch(`${s.url}/v1/completions`, { method: "POST", body: JSON.stringify({ model: "gpt-4o", prompt: "x", max_tokens: 2 }) });
      expect(res.status, dialect).toBe(dialect === "vllm" || dialect === "vllm-v0" ? 404 : 200);
      await res.arrayBuffer();
    }
  });
});
