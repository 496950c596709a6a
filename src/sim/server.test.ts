import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tokenText } from "./output-plan.js";
import { startSimulator } from "./server.js";
import type { RunningSimulator } from "./server.js";
import type { SimulatorOptions } from "./options.js";
import type { TraceLine } from "./trace-writer.js";

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/sim/${name}`, import.meta.url), "utf8");
type Json = Record<string, unknown>;

let sims: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});
async function sim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const s = await startSimulator({ ttftMs: 2, perTokenMs: 1, ...options });
  sims.push(s);
  return s;
}
const post = (s: RunningSimulator, path: string, body: unknown): Promise<Response> =>
  fetch(`${s.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const events = (body: string): string[] => body.split("\n\n").filter((e) => e !== "");
const dataOf = (event: string): Json => JSON.parse(event.slice("data: ".length)) as Json;
const readTrace = (path: string): TraceLine[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as TraceLine);
const tmp = (): string => mkdtempSync(join(tmpdir(), "sim-test-"));

/**
 * Rewrites a vLLM fixture stream with our id, created, model, fingerprint and token texts: if the
 * simulator speaks vLLM's format, the result equals its response byte for byte.
 */
function expectedFromFixture(name: string, ours: string): string {
  const ourEvents = events(ours)
    .filter((e) => e !== "data: [DONE]")
    .map(dataOf);
  const first = ourEvents[0] ?? {};
  const fingerprint = ourEvents.find((e) => "system_fingerprint" in e)?.["system_fingerprint"];
  let tokenIndex = 0;
  const rewritten = events(fixture(name)).map((event) => {
    if (event === "data: [DONE]") return event;
    const e = dataOf(event);
    e["id"] = first["id"];
    e["created"] = first["created"];
    e["model"] = first["model"];
    if ("system_fingerprint" in e) e["system_fingerprint"] = fingerprint;
    for (const choice of e["choices"] as Json[]) {
      const isEos = choice["finish_reason"] === "stop";
      const delta = choice["delta"] as Json | undefined;
      if (typeof choice["text"] === "string") choice["text"] = isEos ? "" : tokenText(tokenIndex++);
      else if (delta !== undefined && delta["role"] === undefined) delta["content"] = isEos ? "" : tokenText(tokenIndex++);
    }
    return `data: ${JSON.stringify(e)}`;
  });
  return `${rewritten.join("\n\n")}\n\n`;
}

describe("streaming wire format (vLLM V1)", () => {
  const completions = { model: "Qwen/Qwen3-8B", prompt: "The capital of France is", max_tokens: 8, stream: true };
  const chat = { model: "Qwen/Qwen3-8B", messages: [{ role: "user", content: "What is the capital of France?" }], stream: true };

  it.each([
    ["vllm-completions.sse.txt", "/v1/completions", completions, 5],
    ["vllm-completions-usage.sse.txt", "/v1/completions", { ...completions, stream_options: { include_usage: true } }, 5],
    // The chat fixtures end on EOS after 7 text tokens: min_tokens 7 + eosProbability 1 reproduces that.
    ["vllm-chat.sse.txt", "/v1/chat/completions", { ...chat, max_tokens: 100, min_tokens: 7 }, 20],
    ["vllm-chat-usage.sse.txt", "/v1/chat/completions", { ...chat, max_tokens: 100, min_tokens: 7, stream_options: { include_usage: true } }, 20],
  ])("%s", async (name, path, body, promptTokens) => {
    const eosProbability = path === "/v1/chat/completions" ? 1 : 0;
    const s = await sim({ model: "Qwen/Qwen3-8B", promptTokenCounter: () => promptTokens, eosProbability });
    const res = await post(s, path, body);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const text = await res.text();
    expect(res.headers.get("x-sim-request-id")).toBe(dataOf(events(text)[0] ?? "")["id"]);
    expect(text).toBe(expectedFromFixture(name, text));
  });

  it("non-streaming bodies have the fixture's keys", async () => {
    const s = await sim();
    const c = (await (await post(s, "/v1/completions", { prompt: "hello", max_tokens: 3 })).json()) as Json;
    expect(Object.keys(c)).toEqual(Object.keys(JSON.parse(fixture("vllm-completions.response.json")) as Json));
    expect((c["choices"] as Json[])[0]).toMatchObject({ text: tokenText(0) + tokenText(1) + tokenText(2), finish_reason: "length" });
    expect(c["usage"]).toMatchObject({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
    const chatBody = (await (await post(s, "/v1/chat/completions", { messages: [{ role: "user", content: "hi" }], max_tokens: 2 })).json()) as Json;
    expect(Object.keys(chatBody)).toEqual(Object.keys(JSON.parse(fixture("vllm-chat.response.json")) as Json));
    expect(((chatBody["choices"] as Json[])[0]?.["message"] as Json)["content"]).toBe(tokenText(0) + tokenText(1));
  });
});

describe("generation semantics", () => {
  it("produces exactly max_tokens with ignore_eos, traced with one emit time per token", async () => {
    const trace = join(tmp(), "trace.jsonl");
    const s = await sim({ eosProbability: 1, trace, promptTokenCounter: () => 7 });
    const res = await post(s, "/v1/completions", { prompt: "x", max_tokens: 37, ignore_eos: true, stream: true, stream_options: { include_usage: true } });
    const evs = events(await res.text());
    expect(evs.length).toBe(37 + 2);
    expect(evs.at(-1)).toBe("data: [DONE]");
    expect(dataOf(evs.at(-2) ?? "")["usage"]).toEqual({ prompt_tokens: 7, total_tokens: 44, completion_tokens: 37 });
    await s.close();
    const [line] = readTrace(trace);
    expect(line).toMatchObject({
      id: res.headers.get("x-sim-request-id"),
      model: "sim-model",
      promptTokens: 7,
      completionTokens: 37,
      finishReason: "length",
      stream: true,
    });
    expect(line?.emitMs.length).toBe(37);
    expect(line?.emitMs.every((t, i, a) => i === 0 || t >= (a[i - 1] ?? 0))).toBe(true);
  });

  it("honours min_tokens when EOS is possible", async () => {
    const s = await sim({ eosProbability: 0.3, seed: 7 });
    const reasons = new Set<unknown>();
    for (let i = 0; i < 12; i++) {
      const body = (await (await post(s, "/v1/completions", { prompt: "x", max_tokens: 40, min_tokens: 10 })).json()) as Json;
      const usage = body["usage"] as Json;
      const choice = (body["choices"] as Json[])[0] ?? {};
      reasons.add(choice["finish_reason"]);
      expect((choice["text"] as string).split(" ").length - 1).toBeGreaterThanOrEqual(10);
      if (choice["finish_reason"] === "stop") expect(usage["completion_tokens"]).toBeGreaterThanOrEqual(11);
      else expect(usage["completion_tokens"]).toBe(40);
    }
    expect(reasons.has("stop")).toBe(true);
  });

  it("serves many concurrent streams with the right token counts", async () => {
    const s = await sim({ perTokenMs: 5 });
    const bodies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(s, "/v1/completions", { prompt: "x", max_tokens: 5 + i, stream: true }).then((r) => r.text())),
    );
    bodies.forEach((b, i) => expect(events(b).length).toBe(5 + i + 1));
    expect(s.stats()).toMatchObject({ running: 0, waiting: 0, accepted: 50, finished: { length: 50, stop: 0, abort: 0 } });
  });
});

describe("errors and other routes", () => {
  it("400 with vLLM's body when the context is too long", async () => {
    const s = await sim({ maxModelLen: 100, promptTokenCounter: () => 60 });
    const res = await post(s, "/v1/completions", { prompt: "x", max_tokens: 41 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Json };
    expect(Object.keys(body.error)).toEqual(["message", "type", "param", "code"]);
    expect(body.error).toMatchObject({ type: "BadRequestError", param: "input_tokens", code: 400 });
    expect(body.error["message"]).toMatch(/maximum context length is 100 tokens.*requested 41 output tokens.*at least 60 input tokens/);
    expect((await post(s, "/v1/completions", { prompt: "x", max_tokens: 40 })).status).toBe(200);
  });

  it("404 for an unknown model, 400 for malformed JSON, 404/405 for unknown routes", async () => {
    const s = await sim();
    const res = await post(s, "/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { message: "The model `gpt-4o` does not exist.", type: "NotFoundError", param: "model", code: 404 } });
    const bad = await post(s, "/v1/completions", "{not json");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: Json }).error["code"]).toBe(400);
    expect((await fetch(`${s.url}/nope`)).status).toBe(404);
    expect((await fetch(`${s.url}/v1/completions`)).status).toBe(405);
    expect(s.stats().rejected).toBe(2);
  });

  it("GET /v1/models, /health, /version", async () => {
    const s = await sim({ maxModelLen: 8192 });
    const models = (await (await fetch(`${s.url}/v1/models`)).json()) as { object: string; data: Json[] };
    expect(models.object).toBe("list");
    expect(models.data[0]).toMatchObject({ id: "sim-model", object: "model", owned_by: "vllm", root: "sim-model", max_model_len: 8192 });
    expect(Object.keys(models.data[0] ?? {})).toEqual(Object.keys((JSON.parse(fixture("vllm-models.json")) as { data: Json[] }).data[0] ?? {}));
    const health = await fetch(`${s.url}/health`);
    expect([health.status, await health.text()]).toEqual([200, ""]);
    expect(await (await fetch(`${s.url}/version`)).json()).toEqual({ version: expect.any(String) as unknown });
  });

  it("/metrics counters follow real requests", async () => {
    const s = await sim({ promptTokenCounter: () => 4 });
    const scrape = async (): Promise<string> => (await fetch(`${s.url}/metrics`)).text();
    const value = (text: string, series: string): number => {
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return Number(line?.split(" ")[1]);
    };
    const l = '{engine="0",model_name="sim-model"}';
    const before = await scrape();
    expect(value(before, `vllm:generation_tokens_total${l}`)).toBe(0);
    for (const line of before.split("\n")) if (line !== "") expect(line).toMatch(/^(# (HELP|TYPE) \S+ .+|vllm:[a-z0-9_:]+\{[^}]*\} [0-9.e+-]+)$/);
    await (await post(s, "/v1/completions", { prompt: "x", max_tokens: 6, stream: true })).text();
    await (await post(s, "/v1/chat/completions", { messages: [{ role: "user", content: "x" }], max_tokens: 4 })).text();
    const after = await scrape();
    expect(value(after, `vllm:generation_tokens_total${l}`)).toBe(10);
    expect(value(after, `vllm:prompt_tokens_total${l}`)).toBe(8);
    expect(value(after, `vllm:prefix_cache_queries_total${l}`)).toBe(8);
    expect(value(after, 'vllm:request_success_total{engine="0",finished_reason="length",model_name="sim-model"}')).toBe(2);
    expect(value(after, `vllm:time_to_first_token_seconds_count${l}`)).toBe(2);
    expect(value(after, `vllm:inter_token_latency_seconds_count${l}`)).toBe(8);
    expect(value(after, `vllm:e2e_request_latency_seconds_count${l}`)).toBe(2);
    expect(value(after, `vllm:num_requests_running${l}`)).toBe(0);
  });
});

describe("timing and lifecycle", () => {
  it("spaces tokens by perTokenMs and waits at least ttftMs (trace ground truth)", async () => {
    const trace = join(tmp(), "trace.jsonl");
    const s = await sim({ ttftMs: 30, perTokenMs: 20, trace });
    await Promise.all([0, 1, 2].map(() => post(s, "/v1/completions", { prompt: "x", max_tokens: 50, stream: true }).then((r) => r.text())));
    await s.close();
    for (const line of readTrace(trace)) {
      const first = line.emitMs[0] ?? 0;
      const last = line.emitMs.at(-1) ?? 0;
      expect(first - line.arrivalMs).toBeGreaterThanOrEqual(30);
      const meanGapMs = (last - first) / (line.emitMs.length - 1);
      expect(Math.abs(meanGapMs - 20)).toBeLessThan(2);
    }
  });

  it("close() ends open streams promptly, traces them as aborted and frees the port", async () => {
    const trace = join(tmp(), "trace.jsonl");
    const s = await startSimulator({ perTokenMs: 50, trace });
    const responses = await Promise.all([0, 1, 2].map(() => post(s, "/v1/completions", { prompt: "x", max_tokens: 10000, stream: true })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const readers = responses.map(async (r) => {
      try {
        await r.text();
        return "ended";
      } catch {
        return "errored";
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 120));
    const startedMs = performance.now();
    await s.close();
    expect(performance.now() - startedMs).toBeLessThan(1000);
    expect(await Promise.all(readers)).toEqual(["errored", "errored", "errored"]);
    const lines = readTrace(trace);
    expect(lines.map((l) => l.finishReason)).toEqual(["abort", "abort", "abort"]);
    expect(s.stats().finished.abort).toBe(3);
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once("error", reject);
      probe.listen(s.port, "127.0.0.1", () => probe.close(() => resolve()));
    });
  });

  it("counts a client that goes away as an abort", async () => {
    const s = await sim({ perTokenMs: 20 });
    const controller = new AbortController();
    const res = await fetch(`${s.url}/v1/completions`, {
      method: "POST",
      body: JSON.stringify({ prompt: "x", max_tokens: 1000, stream: true }),
      signal: controller.signal,
    });
    const reader = res.body?.getReader();
    await reader?.read();
    controller.abort();
    for (let i = 0; i < 100 && s.stats().finished.abort === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.stats()).toMatchObject({ running: 0, finished: { abort: 1 } });
  });

  it("fails with E_SIMULATOR when the port is taken and E_IO for a bad trace path", async () => {
    const s = await sim();
    await expect(startSimulator({ port: s.port })).rejects.toMatchObject({ code: "E_SIMULATOR" });
    await expect(startSimulator({ trace: "/nonexistent-dir/x.jsonl" })).rejects.toMatchObject({ code: "E_IO" });
    await expect(startSimulator({ perTokenMs: -1 })).rejects.toMatchObject({ code: "E_BAD_CONFIG" });
  });

  it("answers 500 (and keeps serving) when the injected prompt counter throws", async () => {
    const s = await sim({
      promptTokenCounter: (text) => {
        if (text === "boom") throw new Error("no tokenizer");
        return 1;
      },
    });
    const res = await post(s, "/v1/completions", { prompt: "boom" });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: Json }).error).toMatchObject({ type: "InternalServerError", code: 500 });
    expect((await post(s, "/v1/completions", { prompt: "fine", max_tokens: 2 })).status).toBe(200);
  });
});
