// Owns the client-versus-server sanity check for one level: do the client's measurements agree
// with the engine's own /metrics within what the network and histogram resolution allow?

export interface CrossCheckInput {
  clientGenerationTokensPerSec: number | null;
  serverGenerationTokensPerSec: number | null;
  clientTtftP50Ms: number | null;
  serverTtftP50Ms: number | null;
  /**
   * Bucket holding the server median (`ttft_p50_bucket_ms`; upper null = +Inf). The true server
   * median lies anywhere inside it, so the allowance widens to the bucket.
   */
  serverTtftP50BucketMs?: readonly [number, number | null] | null;
  /** Measured round trip to the target; the client's TTFT includes about one RTT. */
  rttMs: number;
  /**
   * Token counters that grow only as requests end (llama.cpp, TGI): the level is checked on
   * totals (client tokens vs the counters' Δ over a bracket that ends after the last request),
   * since a rate over a short window of a sawtooth counter says little.
   */
  countersLag?: boolean;
  clientOutputTokens?: number | null;
  /**
   * What the server may have counted at most for the same requests (streams it answered and then
   * failed may have cost more than the client received); totals between the two agree.
   */
  clientOutputTokensMax?: number | null;
  serverGenerationTokens?: number | null;
  clientInputTokens?: number | null;
  clientInputTokensMax?: number | null;
  serverPromptTokens?: number | null;
  /** Relative throughput tolerance, default 0.05. */
  throughputTolerance?: number;
  /** Extra TTFT allowance for HTTP parsing and scheduling on both ends, default 5 ms. */
  ttftSlackMs?: number;
}

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1));

/**
 * Returns human-readable warnings; an empty list means the two sides agree (or a side is missing).
 * Generation throughput must agree within 5%. Client TTFT p50 must lie between the server's
 * p50 (at the bottom of its bucket) and the server's p50 plus one RTT and slack (at the top).
 * @example crossCheck({ clientGenerationTokensPerSec: 900, serverGenerationTokensPerSec: 1000, clientTtftP50Ms: 120, serverTtftP50Ms: 100, rttMs: 1 })
 */
export function crossCheck(input: CrossCheckInput): string[] {
  const warnings: string[] = [];
  const tolerance = input.throughputTolerance ?? 0.05;
  const client = input.clientGenerationTokensPerSec;
  const server = input.serverGenerationTokensPerSec;
  if (input.countersLag === true) {
    warnings.push(...totalCheck("generated tokens", input.clientOutputTokens, input.clientOutputTokensMax, input.serverGenerationTokens, tolerance));
    warnings.push(...totalCheck("prompt tokens (cached included)", input.clientInputTokens, input.clientInputTokensMax, input.serverPromptTokens, tolerance));
  } else if (client !== null && server !== null && (client > 0 || server > 0)) {
    const diff = Math.abs(client - server) / Math.max(client, server);
    if (diff > tolerance) {
      warnings.push(
        `generation throughput: client ${fmt(client)} tok/s vs server ${fmt(server)} tok/s ` +
          `(${(diff * 100).toFixed(1)}% apart, more than ${(tolerance * 100).toFixed(0)}%): ` +
          `other traffic on the server, a token-count mismatch, or a window misaligned with the server's`,
      );
    }
  }
  const clientTtft = input.clientTtftP50Ms;
  const serverTtft = input.serverTtftP50Ms;
  if (clientTtft !== null && serverTtft !== null) {
    const slack = input.ttftSlackMs ?? 5;
    const bucket = input.serverTtftP50BucketMs ?? null;
    const low = Math.min(serverTtft, bucket?.[0] ?? serverTtft) - slack;
    const bucketHigh = bucket === null ? serverTtft : (bucket[1] ?? Infinity);
    const high = Math.max(serverTtft, bucketHigh) + input.rttMs + slack;
    if (clientTtft < low) {
      warnings.push(
        `TTFT p50: client ${fmt(clientTtft)} ms is below the server's ${fmt(serverTtft)} ms: ` +
          `the server histogram includes requests this client did not send, or times a different span`,
      );
    } else if (clientTtft > high) {
      warnings.push(
        `TTFT p50: client ${fmt(clientTtft)} ms exceeds the server's ${fmt(serverTtft)} ms by ` +
          `${fmt(clientTtft - serverTtft)} ms, more than the ${fmt(input.rttMs)} ms RTT allows: ` +
          `time is spent outside the engine (API-server or proxy queueing, tokenisation, client overload)`,
      );
    }
  }
  return warnings;
}

function totalCheck(
  what: string,
  client: number | null | undefined,
  clientMax: number | null | undefined,
  server: number | null | undefined,
  tolerance: number,
): string[] {
  if (client === null || client === undefined || server === null || server === undefined || (client === 0 && server === 0)) return [];
  const high = Math.max(client, clientMax ?? client);
  // The nearest count the client can vouch for: the server may lie anywhere in [client, high].
  const nearest = Math.min(Math.max(server, client), high);
  const diff = Math.abs(nearest - server) / Math.max(nearest, server);
  if (diff <= tolerance) return [];
  const counted = high > client ? `${client} (up to ${high} with what its failed streams may have cost)` : `${client}`;
  return [
    `${what}: the client counted ${counted} in the level, the server's counters ${server} ` +
      `(${(diff * 100).toFixed(1)}% apart, more than ${(tolerance * 100).toFixed(0)}%): other traffic on the server, or a token-count mismatch`,
  ];
}
