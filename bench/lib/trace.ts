// Bench helper: reads the simulator's ground-truth trace and compares client timestamps with it.

import { readFileSync } from "node:fs";
import type { RequestRecord } from "../../src/client/record.js";
import { summarize } from "../../src/metrics/stats.js";

interface TraceLine {
  id: string;
  arrivalMs: number;
  emitMs: number[];
}

export function readTrace(path: string): Map<string, TraceLine> {
  const byId = new Map<string, TraceLine>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const t = JSON.parse(line) as TraceLine;
    byId.set(t.id, t);
  }
  return byId;
}

export interface AccuracyFigures {
  matched: number;
  /** Mean |client gap − server gap| over every token gap, ms. */
  itlMaeMs: number;
  /** Mean (client first-token arrival − server first-token emission), ms: the TTFT measurement error. */
  ttftMaeMs: number;
  /** Mean delay from emission to client timestamp per token, ms. */
  tokenDelayMeanMs: number;
  clientItlP: Record<string, number>;
  serverItlP: Record<string, number>;
}

export function compareWithTrace(records: readonly RequestRecord[], originMs: number, trace: Map<string, TraceLine>): AccuracyFigures {
  let matched = 0;
  let itlErr = 0;
  let itlN = 0;
  let ttftErr = 0;
  let delay = 0;
  let delayN = 0;
  const clientGaps: number[] = [];
  const serverGaps: number[] = [];
  for (const r of records) {
    const t = r.responseId === undefined ? undefined : trace.get(r.responseId);
    if (!t || r.outcome !== "ok" || t.emitMs.length !== r.tokenChunkMs.length) continue;
    matched++;
    const arrivals = r.tokenChunkMs.map((x) => x + originMs);
    ttftErr += Math.abs((arrivals[0] as number) - (t.emitMs[0] as number));
    for (let i = 0; i < arrivals.length; i++) {
      delay += (arrivals[i] as number) - (t.emitMs[i] as number);
      delayN++;
      if (i === 0) continue;
      const cg = (arrivals[i] as number) - (arrivals[i - 1] as number);
      const sg = (t.emitMs[i] as number) - (t.emitMs[i - 1] as number);
      clientGaps.push(cg);
      serverGaps.push(sg);
      itlErr += Math.abs(cg - sg);
      itlN++;
    }
  }
  const ps = [50, 90, 99];
  const c = summarize(clientGaps, ps);
  const s = summarize(serverGaps, ps);
  return {
    matched,
    itlMaeMs: itlN ? itlErr / itlN : NaN,
    ttftMaeMs: matched ? ttftErr / matched : NaN,
    tokenDelayMeanMs: delayN ? delay / delayN : NaN,
    clientItlP: c?.percentiles ?? {},
    serverItlP: s?.percentiles ?? {},
  };
}
