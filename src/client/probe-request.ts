// Owns the bounded HTTP requests servebench makes outside the measured load (start-up probes,
// /metrics scrapes): a connect deadline, a total deadline covering headers and body, a capped body
// size and the caller's abort signal. A server that trickles or floods can delay a probe, never hang it.

import { Agent, request, type Dispatcher } from "undici";

export interface ProbeOptions {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** TCP (and TLS) connect deadline (default 3000 ms). */
  connectTimeoutMs?: number;
  /** Deadline for the whole exchange: connect, headers and every body byte. */
  totalTimeoutMs: number;
  /** Larger bodies fail with kind "too_large" (default 1 MiB). */
  maxBodyBytes?: number;
  signal?: AbortSignal;
  /** Reuse connections across probes (e.g. counting many prompts); default: a fresh agent, closed after. */
  dispatcher?: Dispatcher;
}

export interface ProbeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type ProbeFailure = "connect_timeout" | "timeout" | "too_large" | "aborted" | "network";

/** A probe that did not get a whole answer; `message` says why in words a user can act on. */
export class ProbeError extends Error {
  readonly kind: ProbeFailure;
  /** The errno code of a network failure (ECONNREFUSED, ...), when there was one. */
  readonly errno: string | undefined;

  constructor(kind: ProbeFailure, message: string, errno?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "ProbeError";
    this.kind = kind;
    this.errno = errno;
  }
}

export const DEFAULT_PROBE_BODY_BYTES = 1024 * 1024;

/**
 * One bounded request; resolves with any status, rejects with ProbeError.
 * @example const res = await probeRequest("http://127.0.0.1:8000/v1/models", { totalTimeoutMs: 10_000 });
 */
export async function probeRequest(url: string | URL, options: ProbeOptions): Promise<ProbeResponse> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_PROBE_BODY_BYTES;
  const deadline = AbortSignal.timeout(options.totalTimeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  const agent = options.dispatcher ?? probeAgent(Math.min(connectTimeoutMs, options.totalTimeoutMs));
  const fail = (error: unknown): ProbeError => {
    if (error instanceof ProbeError) return error;
    if (options.signal?.aborted === true) return new ProbeError("aborted", "interrupted", undefined, error);
    if (deadline.aborted) return new ProbeError("timeout", `no complete answer within ${options.totalTimeoutMs} ms`, undefined, error);
    const errno = errnoOf(error);
    if (errno === "UND_ERR_CONNECT_TIMEOUT") return new ProbeError("connect_timeout", `no connection within ${connectTimeoutMs} ms`, errno, error);
    return new ProbeError("network", errno ?? (error as Error).message, errno, error);
  };
  try {
    const res = await request(url, {
      method: options.method ?? "GET",
      signal,
      dispatcher: agent,
      // undici's own idle timers would race the deadline with another error; the deadline covers them.
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const parts: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBodyBytes) {
        res.body.destroy();
        throw new ProbeError("too_large", `the answer is larger than ${formatBytes(maxBodyBytes)}`);
      }
      parts.push(chunk);
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString("utf8") };
  } catch (error) {
    throw fail(error);
  } finally {
    if (options.dispatcher === undefined) void agent.destroy().catch(() => undefined);
  }
}

/** An agent whose connects give up after `connectTimeoutMs` (for `dispatcher`). */
export function probeAgent(connectTimeoutMs = 3000): Agent {
  return new Agent({ connect: { timeout: connectTimeoutMs } });
}

function errnoOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> };
  const code = e.cause?.code ?? e.code ?? e.errors?.[0]?.code;
  return typeof code === "string" ? code : undefined;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
