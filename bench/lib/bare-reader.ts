// Bench baseline: the least a Node client can do — raw sockets, split SSE events, JSON.parse
// each, timestamp each read. servebench's client is compared against this floor.

import { connect, type Socket } from "node:net";

export interface BareResult {
  cpuUs: number;
  wallMs: number;
  tokens: number;
  requests: number;
}

export async function driveBare(baseUrl: string, streams: number, outputTokens: number, durationMs: number): Promise<BareResult> {
  const url = new URL(baseUrl);
  const body = JSON.stringify({
    model: "sim-model",
    prompt: "Hello there",
    max_tokens: outputTokens,
    min_tokens: outputTokens,
    ignore_eos: true,
    stream: true,
    stream_options: { include_usage: true },
  });
  const request = `POST /v1/completions HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`;
  let tokens = 0;
  let requests = 0;
  const deadline = performance.now() + durationMs;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const stream = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket: Socket = connect(Number(url.port), url.hostname);
      let pending = "";
      const times: number[] = [];
      const send = (): void => {
        if (performance.now() >= deadline) {
          socket.end();
          resolve();
          return;
        }
        socket.write(request);
      };
      socket.setNoDelay(true);
      socket.on("connect", send);
      socket.on("error", reject);
      socket.on("data", (chunk: Buffer) => {
        const now = performance.now();
        pending += chunk.toString("utf8");
        let boundary: number;
        while ((boundary = pending.indexOf("\n\n")) >= 0) {
          const event = pending.slice(0, boundary);
          pending = pending.slice(boundary + 2);
          const at = event.indexOf("data: ");
          if (at < 0) continue;
          const data = event.slice(at + 6);
          if (data.startsWith("[DONE]")) {
            requests++;
            times.length = 0;
            // Drop the chunked-encoding terminator that follows [DONE].
            pending = "";
            send();
            continue;
          }
          const parsed = JSON.parse(data) as { choices?: Array<{ text?: string }> };
          if (parsed.choices?.[0]?.text) {
            tokens++;
            times.push(now);
          }
        }
      });
    });
  await Promise.all(Array.from({ length: streams }, stream));
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: cpu.user + cpu.system, wallMs: performance.now() - t0, tokens, requests };
}

export interface BareStart {
  /** When the stream was started (connect called), the shared clock (performance.timeOrigin + now). */
  startMs: number;
  /** When socket.write of the request returned (after the connect event). */
  writtenMs: number;
  firstTokenMs: number;
  responseId: string;
}

/**
 * The floor for TTFT: `streams` raw connections opened at the same instant, one request each,
 * each read to its [DONE] as servebench reads it (so the mock writes as much for both sides).
 */
export async function bareStartTogether(baseUrl: string, streams: number, outputTokens: number): Promise<BareStart[]> {
  const url = new URL(baseUrl);
  const body = JSON.stringify({ model: "sim-model", prompt: "Hello there", max_tokens: outputTokens, stream: true });
  const request = `POST /v1/completions HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`;
  const now = (): number => performance.timeOrigin + performance.now();
  const startMs = now();
  const one = (): Promise<BareStart> =>
    new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      let pending = "";
      let writtenMs = NaN;
      let first: { firstTokenMs: number; responseId: string } | undefined;
      socket.setNoDelay(true);
      socket.on("connect", () => {
        socket.write(request);
        writtenMs = now();
      });
      socket.on("error", reject);
      socket.on("data", (chunk: Buffer) => {
        const at = now();
        pending += chunk.toString("utf8");
        if (first === undefined) {
          const data = pending.indexOf("data: ");
          const end = pending.indexOf("\n\n", data);
          if (data < 0 || end < 0) return;
          const parsed = JSON.parse(pending.slice(data + 6, end)) as { id: string };
          first = { firstTokenMs: at, responseId: parsed.id };
        }
        if (!pending.includes("[DONE]")) {
          pending = pending.slice(-8); // enough to find a "[DONE]" split across reads
          return;
        }
        socket.destroy();
        resolve({ startMs, writtenMs, ...first });
      });
    });
  return Promise.all(Array.from({ length: streams }, one));
}
