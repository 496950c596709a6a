// Owns waiting for a target to finish loading: /health, then /v1/models, both 200, with backoff.
// Engines differ while loading (vLLM refuses connections, SGLang/TGI answer 503, llama.cpp 503
// with a "Loading model" body); all of those just mean "not yet".

import { probeRequest, ProbeError } from "../client/probe-request.js";
import { monotonicNowMs } from "../clock.js";
import { BenchError } from "../errors.js";

export interface ReadinessProgress {
  stage: "health" | "models";
  attempt: number;
  elapsedMs: number;
  /** What the last attempt got, e.g. `GET /health → 503 {"error":"Loading model"}`. */
  lastError: string;
}

export interface WaitReadyOptions {
  timeoutMs: number;
  onProgress?: (progress: ReadinessProgress) => void;
  /** Sent on every request (e.g. Authorization for /v1/models behind --api-key). */
  headers?: Record<string, string>;
  /** First retry delay, doubled up to maxIntervalMs. Defaults 100 and 2000. */
  initialIntervalMs?: number;
  maxIntervalMs?: number;
  signal?: AbortSignal;
}

export interface ReadyResult {
  readyAfterMs: number;
  attempts: number;
}

type Attempt = { ok: true } | { ok: false; status?: number; message: string };

/**
 * Resolves once /health and then /v1/models answer 200. A /health that answers 404 is taken as
 * "no health route" (vllm.rs has none) and skipped. 401/403 on /v1/models fail at once: waiting
 * will not fix a missing API key. At the deadline throws E_UNREACHABLE naming the last error.
 * @example const { readyAfterMs } = await waitReady("http://127.0.0.1:8000", { timeoutMs: 600_000 });
 */
export async function waitReady(baseUrl: string, options: WaitReadyOptions): Promise<ReadyResult> {
  const startMs = monotonicNowMs();
  const deadlineMs = startMs + options.timeoutMs;
  const maxIntervalMs = options.maxIntervalMs ?? 2000;
  let intervalMs = options.initialIntervalMs ?? 100;
  let stage: ReadinessProgress["stage"] = "health";
  let attempts = 0;
  let lastError = "no attempt made";
  for (;;) {
    if (options.signal?.aborted === true) throw new BenchError("E_INTERRUPTED", "interrupted while waiting for the target");
    attempts += 1;
    const path = stage === "health" ? "/health" : "/v1/models";
    // At least 100 ms so the last try near the deadline can still see a real answer.
    const perTryMs = Math.ceil(Math.max(100, Math.min(5000, deadlineMs - monotonicNowMs())));
    const result = await probe(baseUrl, path, perTryMs, options.headers, options.signal);
    if (aborted(options.signal)) throw new BenchError("E_INTERRUPTED", "interrupted while waiting for the target");
    if (result.ok || (stage === "health" && result.status === 404)) {
      if (stage === "models") return { readyAfterMs: monotonicNowMs() - startMs, attempts };
      stage = "models";
      continue;
    }
    lastError = `GET ${path} → ${result.message}`;
    if (stage === "models" && (result.status === 401 || result.status === 403)) {
      // The target refuses this run's credentials: it is failing for us (exit 6), and the message says how to fix it.
      throw new BenchError(
        "E_UNREACHABLE",
        `${baseUrl} is up but ${lastError}: check the API key (the environment variable --api-key-env names, OPENAI_API_KEY by default)`,
      );
    }
    const elapsedMs = monotonicNowMs() - startMs;
    options.onProgress?.({ stage, attempt: attempts, elapsedMs, lastError });
    const remainingMs = deadlineMs - monotonicNowMs();
    if (remainingMs <= 0) {
      throw new BenchError("E_UNREACHABLE", `${baseUrl} not ready after ${(elapsedMs / 1000).toFixed(1)} s (${attempts} attempts); last error: ${lastError}`);
    }
    await sleep(Math.min(intervalMs, remainingMs), options.signal);
    intervalMs = Math.min(maxIntervalMs, intervalMs * 2);
  }
}

async function probe(baseUrl: string, path: string, timeoutMs: number, headers?: Record<string, string>, signal?: AbortSignal): Promise<Attempt> {
  try {
    // Bounded: connect and total deadline, capped body (a trickling or flooding answer is "not yet").
    const res = await probeRequest(new URL(path, baseUrl), {
      ...(headers === undefined ? {} : { headers }),
      totalTimeoutMs: timeoutMs,
      maxBodyBytes: 4 * 1024 * 1024,
      ...(signal === undefined ? {} : { signal }),
    });
    if (res.status === 200) return { ok: true };
    const snippet = res.body.slice(0, 160).replace(/\s+/g, " ").trim();
    return { ok: false, status: res.status, message: `${res.status}${snippet === "" ? "" : ` ${snippet}`}` };
  } catch (error) {
    if (error instanceof ProbeError) return { ok: false, message: error.message };
    return { ok: false, message: describeNetworkError(error, timeoutMs) };
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError" || error.name === "HeadersTimeoutError") return `no answer within ${timeoutMs} ms`;
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? `${code} (${error.message})` : error.message;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
