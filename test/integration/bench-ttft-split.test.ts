// bench:client section 2 splits the start-together TTFT with each side's own timestamps: when
// undici wrote each request (bench/lib/request-writes.ts), the mock's clock offset
// (bench/lib/clock-offset.ts) and the split itself (bench/lib/ttft-split.ts).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { measureClockOffset } from "../../bench/lib/clock-offset.js";
import { watchRequestWrites } from "../../bench/lib/request-writes.js";
import { splitTtft, type ClientStart } from "../../bench/lib/ttft-split.js";
import { StreamingClient } from "../../src/client/http-client.js";

const nowMs = (): number => performance.timeOrigin + performance.now();

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s !== undefined) await new Promise((resolve) => s.close(resolve));
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("splitTtft", () => {
  const trace = new Map([
    ["a", { arrivalMs: 1010, emitMs: [1013, 1020] }],
    ["b", { arrivalMs: 2005, emitMs: [2006] }],
  ]);
  const start = (responseId: string | undefined, over: Partial<ClientStart> = {}): ClientStart => ({
    responseId,
    scheduledMs: 1000,
    writtenMs: 1004,
    firstTokenMs: 1015,
    ttftMs: 15,
    ...over,
  });

  it("splits TTFT less the server's own into send, queue and receive, which add up", () => {
    const [s] = splitTtft([start("a")], trace);
    expect(s).toEqual({ sendMs: 4, queueMs: 6, serverOwnMs: 3, receiveMs: 2, clientMs: 6, ttftLessOwnMs: 12, residualMs: 0 });
  });

  it("puts the server's times on the client's clock: the offset moves time between queue and receive only", () => {
    const [s] = splitTtft([start("a")], trace, 1.5);
    expect(s).toMatchObject({ sendMs: 4, queueMs: 4.5, serverOwnMs: 3, receiveMs: 3.5, clientMs: 7.5, ttftLessOwnMs: 12, residualMs: 0 });
  });

  it("shows a headline TTFT that disagrees with the timestamps as a residual", () => {
    expect(splitTtft([start("a", { ttftMs: 16 })], trace)[0]?.residualMs).toBe(1);
  });

  it("leaves out a request without a trace line, a written time or a first token", () => {
    const starts = [
      start("zzz"),
      start(undefined),
      start("a", { writtenMs: undefined }),
      start("a", { firstTokenMs: undefined }),
      start("a", { ttftMs: undefined }),
    ];
    expect(splitTtft(starts, trace)).toEqual([]);
    const b = start("b", { scheduledMs: 2000, writtenMs: 2001, firstTokenMs: 2007, ttftMs: 7 });
    expect(splitTtft([...starts, b], trace)).toHaveLength(1);
  });
});

describe("watchRequestWrites", () => {
  it("times when servebench's client wrote each labelled request: after send was called, before the server saw it", async () => {
    const arrivals = new Map<string, number>();
    const url = await listen((req, res) => {
      const arrivalMs = nowMs();
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        arrivals.set((JSON.parse(body) as { prompt: string }).prompt, arrivalMs);
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(`data: {"id":"x","object":"text_completion","choices":[{"index":0,"text":"a","finish_reason":null}]}\n\ndata: [DONE]\n\n`);
      });
    });
    const client = new StreamingClient({
      baseUrl: url,
      endpoint: "completions",
      model: "m",
      timeoutMs: 10_000,
      maxConnections: 4,
      ignoreEos: false,
      exactOutput: false,
    });
    const writes = watchRequestWrites();
    const send = (n: number): ReturnType<StreamingClient["send"]> =>
      client.send(
        { index: n, prompt: `p${n}`, inputTokens: 1, targetOutputTokens: 1 },
        { id: `r${n}`, level: 0, warmup: false, scheduledMs: 0, originMs: nowMs() },
      );
    try {
      const labelled = [0, 1, 2].map((n) => writes.label(`r${n}`, () => send(n)));
      const unlabelled = send(3);
      // A fresh connection is written to only after its connect event: not before this loop ends.
      const returnedMs = nowMs();
      const busyUntilMs = returnedMs + 30;
      while (nowMs() < busyUntilMs);
      await Promise.all([...labelled, unlabelled]);
      for (const n of [0, 1, 2]) {
        const writtenMs = writes.writtenMs(`r${n}`);
        // Handed to undici inside send, before the busy loop; written after it.
        expect(writes.createdMs(`r${n}`)).toBeLessThanOrEqual(returnedMs);
        expect(writtenMs).toBeGreaterThanOrEqual(busyUntilMs);
        expect(writtenMs).toBeLessThanOrEqual(arrivals.get(`p${n}`) ?? -1);
      }
      expect(arrivals.size).toBe(4);
      expect(writes.writtenMs("r3")).toBeUndefined();
      expect(writes.createdMs("r3")).toBeUndefined();
      writes.stop();
      await writes.label("r4", () => send(4));
      expect(writes.writtenMs("r4")).toBeUndefined();
    } finally {
      writes.stop();
      await client.close();
    }
  });

  it("labels a request the pool queues for a busy connection too, written after the first one's", async () => {
    const url = await listen((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "text/event-stream" }).end("data: [DONE]\n\n"));
    });
    const client = new StreamingClient({
      baseUrl: url,
      endpoint: "completions",
      model: "m",
      timeoutMs: 10_000,
      maxConnections: 1,
      ignoreEos: false,
      exactOutput: false,
    });
    const writes = watchRequestWrites();
    try {
      const spec = { index: 0, prompt: "p", inputTokens: 1, targetOutputTokens: 1 };
      await Promise.all(
        ["q0", "q1"].map((id) => writes.label(id, () => client.send(spec, { id, level: 0, warmup: false, scheduledMs: 0, originMs: nowMs() }))),
      );
      // One connection: q1 waits in the pool's queue (created at dispatch) until q0's response ends.
      expect(writes.createdMs("q1")).toBeDefined();
      expect(writes.writtenMs("q1")).toBeGreaterThan(writes.writtenMs("q0") ?? Infinity);
    } finally {
      writes.stop();
      await client.close();
    }
  });
});

describe("measureClockOffset", () => {
  it("finds a server clock 1234.5 ms ahead within half its least round trip", async () => {
    const url = await listen((_req, res) => res.end(JSON.stringify({ nowMs: nowMs() + 1234.5 })));
    const { offsetMs, rttMs } = await measureClockOffset(url, 10);
    expect(rttMs).toBeGreaterThan(0);
    expect(Math.abs(offsetMs - 1234.5)).toBeLessThanOrEqual(rttMs / 2);
  });
});
