// Owns probing the target's clock before a shard starts (HTTP `Date` of GET /v1/models, timed by
// bisection), and reading this host's own NTP offset where chrony reports one. Best effort:
// every failure leaves the estimate absent, never fails the run.

import { execFile } from "node:child_process";
import { request } from "undici";
import { estimateOffset, nextProbeAtMs, type ClockOffset, type ClockSample } from "./clock-offset.js";
import type { NtpStatus } from "../results/scale-info.js";
export type { NtpStatus };

export interface ProbeOptions {
  /** Stop probing by this local epoch time (e.g. shortly before --start-at). */
  deadlineEpochMs: number;
  maxProbes?: number;
  headers?: Record<string, string>;
}

async function probeOnce(url: string, headers: Record<string, string>): Promise<ClockSample | undefined> {
  const sentEpochMs = Date.now();
  // A total deadline too: idle timers alone let a trickling body hold the probe forever.
  const res = await request(url, { headers, headersTimeout: 5000, bodyTimeout: 5000, signal: AbortSignal.timeout(10_000) });
  const receivedEpochMs = Date.now();
  await res.body.dump();
  const date = res.headers["date"];
  const parsed = typeof date === "string" ? Date.parse(date) : NaN;
  return Number.isFinite(parsed) ? { sentEpochMs, receivedEpochMs, serverS: Math.floor(parsed / 1000) } : undefined;
}

/** Estimates server − local clock offset; undefined when the server sends no usable Date header. */
export async function probeServerClock(baseUrl: string, options: ProbeOptions): Promise<ClockOffset | undefined> {
  const url = `${baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "")}/v1/models`;
  const headers = options.headers ?? {};
  const samples: ClockSample[] = [];
  try {
    for (let i = 0; i < (options.maxProbes ?? 12); i++) {
      const estimate = estimateOffset(samples);
      let atMs = Date.now();
      if (estimate !== undefined && samples.length > 0) {
        const last = samples[samples.length - 1] as ClockSample;
        const halfRtt = (last.receivedEpochMs - last.sentEpochMs) / 2;
        if (estimate.bound_ms <= halfRtt + 1) break;
        const interval = { loMs: estimate.offset_ms - estimate.bound_ms, hiMs: estimate.offset_ms + estimate.bound_ms };
        atMs = nextProbeAtMs(interval, Date.now(), halfRtt);
      }
      if (atMs + 1000 > options.deadlineEpochMs) break;
      await new Promise((r) => setTimeout(r, Math.max(0, atMs - Date.now())));
      const sample = await probeOnce(url, headers);
      if (sample === undefined) return undefined;
      samples.push(sample);
    }
  } catch {
    // Unreachable or slow: keep what was measured.
  }
  return estimateOffset(samples);
}

/** chronyc -c tracking: field 5 is the system time offset (s), field 12 the root dispersion (s). */
export function parseChronyTracking(csv: string): NtpStatus | undefined {
  const f = csv.trim().split(",");
  const offsetS = Number(f[4]);
  const dispersionS = Number(f[11]);
  if (!Number.isFinite(offsetS) || !Number.isFinite(dispersionS)) return undefined;
  return { source: "chronyc", offset_ms: offsetS * 1000, root_dispersion_ms: dispersionS * 1000 };
}

export function readNtpStatus(): Promise<NtpStatus | undefined> {
  return new Promise((resolve) => {
    execFile("chronyc", ["-c", "tracking"], { timeout: 2000 }, (error, stdout) => {
      resolve(error ? undefined : parseChronyTracking(stdout));
    });
  });
}
