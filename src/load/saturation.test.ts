// Tests for the early-stop guard: error rate over the limit, unbounded queue growth, and no false
// alarm for a steady (even slow) server or one burst.
import { describe, expect, it } from "vitest";
import { queueGrowth, SaturationGuard, type FinishedRequest } from "./saturation.js";

const steady = (n: number, waitMs: number, inFlight: number): FinishedRequest[] =>
  Array.from({ length: n }, (_, i) => ({ ok: true, waitMs: waitMs + (i % 5), inFlightAtSend: inFlight }));

describe("SaturationGuard", () => {
  it("stops when the error rate passes the limit, only after enough requests", () => {
    const guard = new SaturationGuard({ maxErrorRate: 0.1, detectQueueGrowth: false });
    for (let i = 0; i < 10; i++) guard.finished({ ok: false, inFlightAtSend: 1 });
    expect(guard.verdict()).toBeUndefined();
    for (let i = 0; i < 10; i++) guard.finished({ ok: true, waitMs: 5, inFlightAtSend: 1 });
    expect(guard.verdict()).toMatch(/error rate 50\.0% passed --max-error-rate 10\.0% after 20 requests/);
  });

  it("detects a queue that keeps growing, and stays quiet for a slow steady server", () => {
    const growing = Array.from({ length: 64 }, (_, i) => ({ ok: true, waitMs: 40 + 10 * i, inFlightAtSend: 4 + Math.floor(i / 4) }));
    expect(queueGrowth(growing)).toMatch(/over-saturated: median wait rose/);
    expect(queueGrowth(steady(64, 900, 50))).toBeUndefined();
    const burst = [...steady(16, 40, 4), ...steady(16, 400, 30), ...steady(32, 40, 4)];
    expect(queueGrowth(burst)).toBeUndefined();
    const guard = new SaturationGuard({ detectQueueGrowth: true });
    for (const r of growing) guard.finished(r);
    expect(guard.verdict()).toMatch(/over-saturated/);
    const closed = new SaturationGuard({ detectQueueGrowth: false });
    for (const r of growing) closed.finished(r);
    expect(closed.verdict()).toBeUndefined();
  });
});
