// Owns fault injection's plan: parsing the --faults spec, and deciding per request (seeded, so a
// run is reproducible) which fault it gets and where. Carrying a fault out is generation.ts's and
// server.ts's job; this module never touches sockets.

import { BenchError } from "../errors.js";
import { mixSeed, mulberry32 } from "./output-plan.js";

export type FaultKind = "http500" | "http503" | "http429" | "midstream" | "reset" | "stall" | "malformed" | "short" | "slow-headers" | "crash" | "never-ready";

export const FAULT_KINDS: readonly FaultKind[] = [
  "http500",
  "http503",
  "http429",
  "midstream",
  "reset",
  "stall",
  "malformed",
  "short",
  "slow-headers",
  "crash",
  "never-ready",
];

export interface FaultSpec {
  /** Per-request probability of each fault. */
  rates: Partial<Record<FaultKind, number>>;
  stallMs: number;
  slowHeadersMs: number;
  /** The process (or embedded server) dies when this many completion requests have been accepted. */
  crashAfter: number | undefined;
  neverReady: boolean;
}

/** What happens to one request. `atToken`: the output index where a mid-stream fault strikes. */
export interface FaultPlan {
  before: "http500" | "http503" | "http429" | undefined;
  slowHeadersMs: number;
  during: { kind: "midstream" | "reset" | "stall" | "malformed" | "short"; atToken: number; stallMs: number } | undefined;
}

export const NO_FAULTS: FaultSpec = { rates: {}, stallMs: 0, slowHeadersMs: 0, crashAfter: undefined, neverReady: false };

function durationMs(value: string, term: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (m === null) throw new BenchError("E_BAD_FLAG", `\`faults\`: "${term}": duration "${value}" is not like 500ms or 5s`, { where: "faults" });
  return Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1000);
}

/**
 * Parses "http500=0.05,midstream=0.02,reset=0.01,stall=0.01:5s,malformed=0.01,short=0.02,
 * slow-headers=0.01:2s,crash-after=100,never-ready". Rates are probabilities per request.
 */
export function parseFaults(spec: string): FaultSpec {
  const out: FaultSpec = { rates: {}, stallMs: 5000, slowHeadersMs: 2000, crashAfter: undefined, neverReady: false };
  for (const term of spec
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "")) {
    const [name = "", value] = term.split("=", 2);
    if (name === "never-ready" && value === undefined) {
      out.neverReady = true;
      continue;
    }
    if (name === "crash-after") {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0)
        throw new BenchError("E_BAD_FLAG", `\`faults\`: "${term}": crash-after needs a request count`, { where: "faults" });
      out.crashAfter = n;
      continue;
    }
    if (!(FAULT_KINDS as readonly string[]).includes(name) || name === "crash" || value === undefined) {
      throw new BenchError(
        "E_BAD_FLAG",
        `\`faults\`: "${term}" is not one of ${FAULT_KINDS.filter((k) => k !== "crash").join(", ")}, crash-after=N (as name=rate)`,
        { where: "faults" },
      );
    }
    const [rateText = "", duration] = value.split(":", 2);
    const rate = Number(rateText);
    if (!(rate >= 0 && rate <= 1)) throw new BenchError("E_BAD_FLAG", `\`faults\`: "${term}": rate must be in [0, 1]`, { where: "faults" });
    out.rates[name as FaultKind] = rate;
    if (duration !== undefined && name === "stall") out.stallMs = durationMs(duration, term);
    else if (duration !== undefined && name === "slow-headers") out.slowHeadersMs = durationMs(duration, term);
    else if (duration !== undefined)
      throw new BenchError("E_BAD_FLAG", `\`faults\`: "${term}": only stall and slow-headers take a duration`, { where: "faults" });
  }
  const sum = ["http500", "http503", "http429"].reduce((a, k) => a + (out.rates[k as FaultKind] ?? 0), 0);
  const during = ["midstream", "reset", "stall", "malformed", "short"].reduce((a, k) => a + (out.rates[k as FaultKind] ?? 0), 0);
  if (sum > 1 || during > 1)
    throw new BenchError("E_BAD_FLAG", "`faults`: the rates of one phase (before streaming, during streaming) add up to more than 1", { where: "faults" });
  return out;
}

/** Draws the plan of request number `seq`; `outputTokens` bounds where a mid-stream fault may strike. */
export function planFaults(spec: FaultSpec, seed: number, seq: number, outputTokens: number): FaultPlan {
  const random = mulberry32(mixSeed(seed ^ 0x5eed, seq));
  const pick = <K extends FaultKind>(kinds: readonly K[]): K | undefined => {
    const u = random();
    let acc = 0;
    for (const k of kinds) {
      acc += spec.rates[k] ?? 0;
      if (u < acc) return k;
    }
    return undefined;
  };
  const before = pick(["http500", "http503", "http429"] as const);
  const slow = random() < (spec.rates["slow-headers"] ?? 0) ? spec.slowHeadersMs : 0;
  const kind = pick(["midstream", "reset", "stall", "malformed", "short"] as const);
  // Strike after at least one token and before the last, so the client has seen the stream start.
  const atToken = Math.max(1, Math.min(outputTokens - 1, 1 + Math.floor(random() * Math.max(1, outputTokens - 1))));
  const usable = kind !== undefined && (outputTokens >= 2 || kind === "stall" || kind === "malformed");
  return { before, slowHeadersMs: slow, during: usable ? { kind, atToken, stallMs: spec.stallMs } : undefined };
}

export function emptyFaultCounts(): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
}
