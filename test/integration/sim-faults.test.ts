// Every injectable fault, observed by the real client over loopback, and counted by the simulator
// (stats().faults and onFault) so what was injected can be compared with what the client recorded.

import { afterEach, describe, expect, it } from "vitest";
import { monotonicNowMs } from "../../src/clock.js";
import { StreamingClient } from "../../src/client/http-client.js";
import type { RequestRecord } from "../../src/client/record.js";
import { parseFaults, startSimulator } from "../../src/sim/index.js";
import type { DialectName, FaultEvent, RunningSimulator } from "../../src/sim/index.js";

let sims: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function withFaults(faults: string, dialect: DialectName = "vllm", events: FaultEvent[] = []): Promise<RunningSimulator> {
  const s = await startSimulator({ dialect, faults, ttftMs: 1, perTokenMs: 2, promptTokenCounter: () => 4, onFault: (e) => events.push(e) });
  sims.push(s);
  return s;
}

async function send(s: RunningSimulator, n = 1, timeoutMs = 10_000, out = 20): Promise<RequestRecord[]> {
  const c = new StreamingClient({
    baseUrl: s.url,
    endpoint: "completions",
    model: "sim-model",
    timeoutMs,
    maxConnections: 4,
    ignoreEos: false,
    exactOutput: true,
  });
  const originMs = monotonicNowMs();
  const records = await Promise.all(
    Array.from(
      { length: n },
      async (_, index) =>
        (
          await c.send(
            { index, prompt: "a b c d", inputTokens: 4, targetOutputTokens: out },
            { id: `0-${index}`, level: 0, warmup: false, scheduledMs: 0, originMs },
          )
        ).record,
    ),
  );
  await c.close();
  return records;
}

describe("faults seen by a real client", () => {
  it.each([
    ["http500=1", 500],
    ["http503=1", 503],
    ["http429=1", 429],
  ])("%s: an HTTP error before streaming", async (spec, status) => {
    const s = await withFaults(spec);
    const [r] = await send(s);
    expect(r?.error).toMatchObject({ code: `http_${status}`, httpStatus: status });
    expect(s.stats().faults[`http${status}` as "http500"]).toBe(1);
  });

  it.each([["vllm"], ["tgi"], ["llamacpp"]] as const)("midstream=1 (%s): an error event after tokens", async (dialect) => {
    const s = await withFaults("midstream=1", dialect);
    const [r] = await send(s);
    expect(r?.outcome).toBe("error");
    expect(r?.error?.code).toBe("midstream_error");
    expect(r?.tokenChunkMs.length).toBeGreaterThan(0);
    expect(s.stats().faults.midstream).toBe(1);
  });

  it("reset=1: the connection drops mid-stream", async () => {
    const events: FaultEvent[] = [];
    const s = await withFaults("reset=1", "vllm", events);
    const [r] = await send(s);
    expect(r?.outcome).toBe("error");
    expect(["connection", "incomplete"]).toContain(r?.error?.code);
    expect(events.map((e) => e.kind)).toEqual(["reset"]);
  });

  it("stall=1:2s: no bytes for 2 s, so a 500 ms client timeout fires", async () => {
    const s = await withFaults("stall=1:2s");
    const [r] = await send(s, 1, 500, 50);
    expect(r?.error?.code).toBe("timeout");
    expect(s.stats().faults.stall).toBe(1);
  });

  it("malformed=1: a torn SSE line the client flags", async () => {
    const s = await withFaults("malformed=1");
    const [r] = await send(s);
    expect(r?.outcome).toBe("error");
    expect(r?.error?.code).toBe("bad_sse");
    expect(s.stats().faults.malformed).toBe(1);
  });

  it("short=1: fewer tokens than requested, reported honestly in usage", async () => {
    const s = await withFaults("short=1");
    const [r] = await send(s);
    expect(r?.outcome).toBe("ok");
    expect(r?.usage?.completionTokens).toBeLessThan(20);
    // It ends on EOS: usage counts the EOS token, which carries no text (so no token chunk).
    expect(r?.finishReason).toBe("stop");
    expect(r?.usage?.completionTokens).toBe((r?.tokenChunkMs.length ?? 0) + 1);
    expect(s.stats().faults.short).toBe(1);
  });

  it("slow-headers=1:300ms: headers arrive late", async () => {
    const s = await withFaults("slow-headers=1:300ms");
    const [r] = await send(s);
    expect(r?.outcome).toBe("ok");
    expect((r?.headersMs ?? 0) - (r?.sentMs ?? 0)).toBeGreaterThanOrEqual(290);
    expect(s.stats().faults["slow-headers"]).toBe(1);
  });

  it("crash-after=2: the third request finds the server gone", async () => {
    let crashed = 0;
    const s = await startSimulator({ faults: "crash-after=2", ttftMs: 1, perTokenMs: 1, onCrash: () => crashed++ });
    sims.push(s);
    const first = await send(s, 2);
    expect(first.map((r) => r.outcome)).toEqual(["ok", "ok"]);
    const [third] = await send(s);
    expect(third?.error?.code).toBe("connection");
    expect(crashed).toBe(1);
    expect(s.stats().faults.crash).toBe(1);
    const [fourth] = await send(s);
    expect(fourth?.error?.code).toBe("connection");
  });

  it("never-ready: /health stays 503", async () => {
    const s = await withFaults("never-ready");
    expect((await fetch(`${s.url}/health`)).status).toBe(503);
    expect(s.stats().faults["never-ready"]).toBe(1);
  });

  it("rates are per request and reproducible with the seed", async () => {
    const s = await withFaults("http500=0.3");
    const records = await send(s, 40, 10_000, 3);
    const errors = records.filter((r) => r.error?.code === "http_500").length;
    expect(errors).toBe(s.stats().faults.http500);
    expect(errors).toBeGreaterThan(3);
    expect(errors).toBeLessThan(25);
  });

  it("rejects a bad spec naming the term", () => {
    expect(() => parseFaults("http500=2")).toThrow(/http500=2/);
    expect(() => parseFaults("explode=0.1")).toThrow(/explode/);
    expect(parseFaults("stall=0.1:5s,slow-headers=0.2:250ms,crash-after=10")).toMatchObject({ stallMs: 5000, slowHeadersMs: 250, crashAfter: 10 });
  });
});
