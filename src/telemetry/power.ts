// Owns GPU power sampling during a run: where the watts come from (nvidia-smi, rocm-smi, a user
// command, a DCGM exporter's /metrics), one sample per interval on the run's clock, and each
// level's average watts and joules. A source that fails is recorded, never fatal.

import { failureOf, runTimedCommand } from "../plan/timed-command.js";
import { request } from "undici";
import { monotonicNowMs } from "../clock.js";
import { BenchError } from "../errors.js";
import { parsePrometheusText } from "./prometheus.js";
import { parsePowerFlag, type PowerSource } from "../config/flag-values.js";

export { parsePowerFlag, type PowerSource };

export interface PowerSample {
  /** ms since the run's origin. */
  tMs: number;
  /** Total watts over every GPU the source reports. */
  watts: number;
  gpus: number;
}

/** nvidia-smi --query-gpu=power.draw: one number per GPU ("[N/A]" lines are skipped). */
export function parseWattLines(stdout: string): { watts: number; gpus: number } | undefined {
  const values = stdout
    .split("\n")
    .map((l) => Number.parseFloat(l.trim()))
    .filter((n) => Number.isFinite(n) && n >= 0);
  return values.length === 0 ? undefined : { watts: values.reduce((a, b) => a + b, 0), gpus: values.length };
}

/** rocm-smi --showpower --json: each card's "… Package Power (W)" field. */
export function parseRocmPower(stdout: string): { watts: number; gpus: number } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const cards = Object.values((parsed ?? {}) as Record<string, Record<string, unknown>>);
  const values = cards.flatMap((card) => {
    const key = Object.keys(card ?? {}).find((k) => /Package Power \(W\)/i.test(k));
    const n = key === undefined ? Number.NaN : Number.parseFloat(String(card[key]));
    return Number.isFinite(n) ? [n] : [];
  });
  return values.length === 0 ? undefined : { watts: values.reduce((a, b) => a + b, 0), gpus: values.length };
}

/** A DCGM exporter's text: Σ DCGM_FI_DEV_POWER_USAGE (watts) over its label sets (one per GPU). */
export function parseDcgmPower(text: string): { watts: number; gpus: number } | undefined {
  const samples = parsePrometheusText(text).samples.filter((s) => s.name === "DCGM_FI_DEV_POWER_USAGE" && Number.isFinite(s.value));
  return samples.length === 0 ? undefined : { watts: samples.reduce((a, s) => a + s.value, 0), gpus: samples.length };
}

const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Runs argv in a process group of its own, killed whole at the deadline; its stdout, or rejects with why not. */
async function runTool(argv: readonly string[], timeoutMs: number): Promise<string> {
  const r = await runTimedCommand(argv, { timeoutMs, maxOutputBytes: MAX_OUTPUT_BYTES, processGroup: true });
  const error = failureOf(r, timeoutMs);
  if (error === undefined) return r.stdout;
  throw new Error(error);
}

/** One reading of `source`: total watts and GPU count. Rejects with the reason it could not read. */
export async function readPower(source: PowerSource, timeoutMs: number): Promise<{ watts: number; gpus: number }> {
  let reading: { watts: number; gpus: number } | undefined;
  switch (source.kind) {
    case "nvidia-smi":
      reading = parseWattLines(await runTool(["nvidia-smi", "--query-gpu=power.draw", "--format=csv,noheader,nounits"], timeoutMs));
      break;
    case "rocm-smi":
      reading = parseRocmPower(await runTool(["rocm-smi", "--showpower", "--json"], timeoutMs));
      break;
    case "cmd":
      reading = parseWattLines(await runTool(["/bin/sh", "-c", source.command], timeoutMs));
      break;
    case "dcgm": {
      const res = await request(source.url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
      const body = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      reading = parseDcgmPower(body);
      break;
    }
  }
  if (reading === undefined) throw new Error("no power reading in its output");
  return reading;
}

/** auto: the local vendor tool, when the target runs on this machine (a remote GPU needs cmd: or dcgm:). */
export async function resolvePowerSource(flag: PowerSource | "auto" | "none", targetIsLocal: boolean, timeoutMs = 3000): Promise<PowerSource | undefined> {
  if (flag === "none") return undefined;
  if (flag !== "auto") return flag;
  if (!targetIsLocal) return undefined;
  for (const kind of ["nvidia-smi", "rocm-smi"] as const) {
    const ok = await readPower({ kind }, timeoutMs).then(
      () => true,
      () => false,
    );
    if (ok) return { kind };
  }
  return undefined;
}

export function describePowerSource(source: PowerSource): string {
  return source.kind === "cmd" ? `cmd:${source.command}` : source.kind === "dcgm" ? `dcgm:${source.url}` : source.kind;
}

/** Samples a source every interval from start() to stop(); readings never overlap. */
export class PowerSampler {
  readonly samples: PowerSample[] = [];
  failures = 0;
  lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<void> | undefined;

  constructor(
    readonly source: PowerSource,
    private readonly intervalMs: number,
    private readonly originMs: number,
    private readonly onSample?: (sample: PowerSample) => void,
  ) {}

  start(): void {
    void this.sampleNow();
    this.#timer = setInterval(() => void this.sampleNow(), this.intervalMs);
    this.#timer.unref();
  }

  /** One reading now (skipped while one is under way). */
  sampleNow(): Promise<void> {
    this.#busy ??= (async () => {
      const tMs = monotonicNowMs() - this.originMs;
      try {
        const r = await readPower(this.source, Math.max(1000, this.intervalMs * 3));
        const sample = { tMs, watts: r.watts, gpus: r.gpus };
        this.samples.push(sample);
        this.onSample?.(sample);
      } catch (error) {
        this.failures++;
        this.lastError = error instanceof Error ? error.message.split("\n")[0] : String(error);
      }
    })().finally(() => (this.#busy = undefined));
    return this.#busy;
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#busy;
  }
}

/**
 * A level's energy from the samples taken inside [startMs, endMs]: the mean of their watts times
 * the level's duration. Undefined without a sample in the window.
 */
export function levelEnergy(
  samples: readonly PowerSample[],
  startMs: number,
  endMs: number,
  durationS: number,
  outputTokens: number,
  source: PowerSource,
): { source: string; samples: number; gpus: number; avg_power_w: number; joules: number; joules_per_output_token: number | null } | undefined {
  const inside = samples.filter((s) => s.tMs >= startMs && s.tMs <= endMs);
  if (inside.length === 0) return undefined;
  const avg = inside.reduce((a, s) => a + s.watts, 0) / inside.length;
  const joules = avg * durationS;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    source: describePowerSource(source),
    samples: inside.length,
    gpus: Math.max(...inside.map((s) => s.gpus)),
    avg_power_w: round(avg),
    joules: round(joules),
    joules_per_output_token: outputTokens > 0 ? Math.round((joules / outputTokens) * 1e6) / 1e6 : null,
  };
}
