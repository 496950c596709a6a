import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MetricsBase } from "../prom-text.js";
import type { ScrapeGauges } from "../prom-text.js";
import { contextLengthExceeded, overloaded } from "../vllm-wire.js";
import type { Endpoint } from "../vllm-wire.js";
import type { Dialect, Finish, ServerView } from "./dialect.js";
import { DIALECTS } from "./registry.js";

// Per-dialect checks against the shared fixtures (copied to test/fixtures/sim). Values a server
// computes per chunk or per request (created, ids, timings) are taken from the fixture; every key,
// its order, the framing and the event sequence must match.

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/sim/${name}`, import.meta.url), "utf8");
type Json = Record<string, unknown>;

function events(body: string): { prefix: string; data: string }[] {
  return body
    .split("\n\n")
    .filter((e) => e !== "")
    .map((e) => {
      const m = /^(data: ?)([\s\S]*)$/.exec(e);
      if (m === null) throw new Error(`not an SSE data event: ${e}`);
      return { prefix: m[1] ?? "", data: m[2] ?? "" };
    });
}

/** Copies the per-chunk values a server computes (time, ids, timings) from `from` into `to`. */
function adopt(to: Json, from: Json): Json {
  for (const key of ["created", "id", "system_fingerprint", "timings"]) if (key in to && key in from) to[key] = from[key];
  return to;
}

/** The text of each token-carrying chunk, the finish reason and the usage of a fixture stream. */
function tokensOf(body: string): { texts: string[]; finish: Finish; usage: { p: number; c: number } | undefined } {
  const texts: string[] = [];
  let finish: string | undefined;
  let usage: { p: number; c: number } | undefined;
  for (const { data } of events(body)) {
    if (data === "[DONE]") continue;
    const e = JSON.parse(data) as { choices?: Json[]; usage?: { prompt_tokens: number; completion_tokens: number } | null };
    const choice = e.choices?.[0];
    const delta = choice?.["delta"] as Json | undefined;
    const t = (choice?.["text"] ?? delta?.["content"]) as string | null | undefined;
    if (typeof t === "string" && t !== "") texts.push(t);
    const f = choice?.["finish_reason"];
    if (typeof f === "string" && f !== "") finish = f;
    if (e.usage) usage = { p: e.usage.prompt_tokens, c: e.usage.completion_tokens };
  }
  return { texts, finish: finish === "length" ? "length" : "stop", usage };
}

function reencode(d: Dialect, name: string, endpoint: Endpoint, includeUsage: boolean, usage: { p: number; c: number }): void {
  const body = fixture(name);
  const theirs = events(body);
  const first = JSON.parse(theirs[0]?.data ?? "{}") as Json;
  const ids = {
    id: String(first["id"]),
    created: Number(first["created"]),
    model: String(first["model"]),
    systemFingerprint: String(first["system_fingerprint"] ?? ""),
  };
  const { texts, finish } = tokensOf(body);
  const w = d.stream(endpoint, ids, includeUsage);
  let out = "";
  texts.forEach((t, i) => (out += w.output(t, i === 0, finish === "length" && i === texts.length - 1 ? "length" : null)));
  if (finish === "stop") out += w.output("", texts.length === 0, "stop");
  out += w.end(usage.p, usage.c, 0);
  const ours = events(out);
  expect(ours.map((e) => e.prefix)).toEqual(theirs.map((e) => e.prefix));
  expect(ours.length).toBe(theirs.length);
  ours.forEach((e, i) => {
    const t = theirs[i]?.data ?? "";
    if (t === "[DONE]") return expect(e.data).toBe(t);
    expect(JSON.stringify(adopt(JSON.parse(e.data) as Json, JSON.parse(t) as Json))).toBe(t);
  });
}

describe.each([
  ["sglang", "sglang-chat.sse.txt", "chat", false, { p: 20, c: 8 }],
  ["sglang", "sglang-chat-usage.sse.txt", "chat", true, { p: 20, c: 8 }],
  ["sglang", "sglang-completions-usage.sse.txt", "completions", true, { p: 5, c: 8 }],
  ["tgi", "tgi-chat.sse.txt", "chat", false, { p: 42, c: 8 }],
  ["tgi", "tgi-chat-usage.sse.txt", "chat", true, { p: 42, c: 8 }],
  ["tgi", "tgi-completions.sse.txt", "completions", false, { p: 6, c: 8 }],
  ["llamacpp", "llamacpp-chat.sse.txt", "chat", false, { p: 20, c: 8 }],
  ["llamacpp", "llamacpp-chat-usage.sse.txt", "chat", true, { p: 20, c: 8 }],
  ["llamacpp", "llamacpp-completions.sse.txt", "completions", false, { p: 5, c: 8 }],
  ["vllm-rs", "vllmrs-chat-usage.sse.txt", "chat", true, { p: 20, c: 8 }],
] as const)("%s stream matches %s", (name, file, endpoint, includeUsage, usage) => {
  it("event by event", () => reencode(DIALECTS[name], file, endpoint, includeUsage, usage));
});

const view = (d: Dialect, over: Partial<ServerView> = {}): ServerView => ({
  model: "Qwen/Qwen3-8B",
  maxModelLen: 40960,
  createdS: 1795390000,
  ready: true,
  gauges: (): ScrapeGauges => ({ running: 2, waiting: 1, kvCacheUsage: 0.25, prefixCacheQueries: 100, prefixCacheHits: 40, preemptions: 0 }),
  metrics: d.createMetrics("Qwen/Qwen3-8B", 40960),
  tokenize: (text, addSpecial) => [...(addSpecial ? [1] : []), ...text.split(" ").map((_, i) => i + 10)],
  renderChat: (messages) => messages.map((m) => `<${m.role}>${m.content}`).join("") + "<assistant>",
  ...over,
});

describe("bodies, errors and routes", () => {
  it("non-streaming chat bodies", () => {
    for (const [name, file] of [
      ["sglang", "sglang-chat.response.json"],
      ["tgi", "tgi-chat.response.json"],
      ["llamacpp", "llamacpp-chat.response.json"],
    ] as const) {
      const theirs = JSON.parse(fixture(file)) as Json;
      const ids = {
        id: String(theirs["id"]),
        created: Number(theirs["created"]),
        model: String(theirs["model"]),
        systemFingerprint: String(theirs["system_fingerprint"] ?? ""),
      };
      const usage = theirs["usage"] as { prompt_tokens: number; completion_tokens: number };
      const ours = JSON.parse(
        DIALECTS[name].body("chat", ids, "The capital of France is Paris.", "stop", usage.prompt_tokens, usage.completion_tokens, 0),
      ) as Json;
      expect(JSON.stringify(adopt(ours, theirs)), name).toBe(JSON.stringify(theirs));
    }
  });

  it("context-too-long errors", () => {
    expect(DIALECTS.sglang.error(contextLengthExceeded(40960, 38913, 2048))).toMatchObject({
      status: 400,
      body: fixture("sglang-error-400-context-length.json").trim(),
    });
    expect(DIALECTS.tgi.error(contextLengthExceeded(8192, 8000, 500))).toMatchObject({ status: 422, body: fixture("tgi-error-422-validation.json").trim() });
    expect(DIALECTS.tgi.error(overloaded())).toMatchObject({ status: 429, body: fixture("tgi-error-429-overloaded.json").trim() });
    expect(DIALECTS.llamacpp.error(contextLengthExceeded(8192, 8000, 500))).toMatchObject({
      status: 400,
      body: fixture("llamacpp-error-400-context.json").trim(),
    });
  });

  it("/v1/models, /health and /info", () => {
    expect(DIALECTS.sglang.route("/v1/models", view(DIALECTS.sglang))?.body).toBe(fixture("sglang-models.json").trim());
    expect(DIALECTS.tgi.route("/v1/models", view(DIALECTS.tgi, { model: "meta-llama/Llama-3.1-8B-Instruct" }))?.body).toBe(fixture("tgi-models.json").trim());
    const info = JSON.parse(DIALECTS.tgi.route("/info", view(DIALECTS.tgi))?.body ?? "{}") as Json;
    expect(Object.keys(info)).toEqual(Object.keys(JSON.parse(fixture("tgi-info.json")) as Json));
    expect(DIALECTS.tgi.loading("/health")).toMatchObject({ status: 503, body: fixture("tgi-health-503.json").trim() });
    expect(DIALECTS.llamacpp.route("/health", view(DIALECTS.llamacpp))?.body).toBe(fixture("llamacpp-health.json").trim());
    expect(DIALECTS.llamacpp.loading("/v1/completions")).toMatchObject({ status: 503, body: fixture("llamacpp-error-503-loading.json").trim() });
    expect(DIALECTS.llamacpp.loading("/v1/models")).toBeUndefined();
    const models = JSON.parse(DIALECTS.llamacpp.route("/v1/models", view(DIALECTS.llamacpp))?.body ?? "{}") as Json;
    expect(Object.keys(models)).toEqual(Object.keys(JSON.parse(fixture("llamacpp-models.json")) as Json));
    expect(DIALECTS["vllm-rs"].route("/metrics", view(DIALECTS["vllm-rs"]))).toBeUndefined();
  });

  it("mid-stream errors use each server's framing", () => {
    const ids = { id: "x", created: 1, model: "m", systemFingerprint: "f" };
    expect(DIALECTS.vllm.stream("chat", ids, false).error("Internal server error")).toBe(
      fixture("vllm-chat-error-midstream.sse.txt").split("\n\n").slice(-3).join("\n\n"),
    );
    const lastEvent = (name: string): string =>
      `${
        fixture(name)
          .split("\n\n")
          .filter((e) => e.trim() !== "")
          .at(-1) ?? ""
      }\n\n`;
    expect(DIALECTS.llamacpp.stream("chat", ids, false).error("Context size has been exceeded.")).toBe(lastEvent("llamacpp-chat-error-midstream.sse.txt"));
    expect(DIALECTS["vllm-rs"].stream("chat", ids, false).error("Engine error: KV cache exhausted for seq 7")).toBe(lastEvent("vllmrs-chat-error-raw.sse.txt"));
    expect(DIALECTS.tgi.stream("chat", ids, false).error("Model is overloaded")).toBe(fixture("tgi-chat-error-overloaded.sse.txt"));
  });
});

/** Families (name → TYPE, HELP) and label names per family of a Prometheus text. */
function families(text: string): Map<string, { type: string; help: string | undefined; labels: Set<string> }> {
  const out = new Map<string, { type: string; help: string | undefined; labels: Set<string> }>();
  const helps = new Map<string, string>();
  for (const line of text.split("\n")) {
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help !== null) helps.set(help[1] ?? "", help[2] ?? "");
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) out.set(type[1] ?? "", { type: type[2] ?? "", help: helps.get(type[1] ?? ""), labels: new Set() });
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*?)(_bucket|_sum|_count)?(\{[^}]*\})? \S+$/.exec(line);
    if (sample !== null) {
      const fam = out.get(sample[1] ?? "") ?? out.get(`${sample[1] ?? ""}${sample[2] ?? ""}`);
      for (const m of (sample[3] ?? "").matchAll(/([a-z_]+)="/g)) if (m[1] !== "le") fam?.labels.add(m[1] ?? "");
    }
  }
  return out;
}

describe.each([
  ["vllm", "vllm-v1.metrics.txt"],
  ["vllm-v0", "vllm-v0.metrics.txt"],
  ["sglang", "sglang.metrics.txt"],
  ["tgi", "tgi.metrics.txt"],
  // The families of the build the suite runs against (real capture): newer than the hand-made one.
  ["llamacpp", "llamacpp-b10587-captured.metrics.txt"],
] as const)("%s /metrics against %s", (name, file) => {
  it("uses the server's family names, types, HELP and label names", () => {
    const d = DIALECTS[name];
    const metrics = d.createMetrics("Qwen/Qwen3-8B", 4096);
    metrics.onAdmitted(5, 10);
    metrics.onFirstToken(30);
    metrics.onNextToken(10, 2);
    metrics.onFinished("length", 60, 10, 3);
    expect(metrics).toBeInstanceOf(MetricsBase);
    const ours = families(metrics.render({ running: 1, waiting: 0, kvCacheUsage: 0.5, prefixCacheQueries: 10, prefixCacheHits: 0, preemptions: 0 }));
    const theirs = families(fixture(file));
    expect(ours.size).toBeGreaterThanOrEqual(4);
    for (const [family, f] of ours) {
      const t = theirs.get(family);
      expect(t, family).toBeDefined();
      expect(f.type, family).toBe(t?.type);
      expect(f.help, family).toBe(t?.help);
      expect([...f.labels].sort(), family).toEqual([...(t?.labels ?? [])].sort());
    }
  });
});
