// Clock-offset bounds: the true offset always lies inside the estimated interval, and probes
// timed by bisection shrink it to about the round-trip time.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateOffset, nextProbeAtMs, pairwiseSkewBoundMs, type ClockSample } from "./clock-offset.js";
import { parseChronyTracking } from "./clock-probe.js";

/** A server whose clock is `offsetMs` ahead of ours, stamping a fraction `at` of the way through the round trip. */
function sample(offsetMs: number, sentEpochMs: number, rttMs: number, at: number): ClockSample {
  const stampLocal = sentEpochMs + rttMs * at;
  return { sentEpochMs, receivedEpochMs: sentEpochMs + rttMs, serverS: Math.floor((stampLocal + offsetMs) / 1000) };
}

describe("estimateOffset", () => {
  it("always contains the true offset", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5000, max: 5000, noNaN: true }),
        fc.array(
          fc.record({
            t: fc.double({ min: 0, max: 60_000, noNaN: true }),
            rtt: fc.double({ min: 0.1, max: 300, noNaN: true }),
            at: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (offset, probes) => {
          const est = estimateOffset(probes.map((p) => sample(offset, 1.7e12 + p.t, p.rtt, p.at)));
          expect(est).toBeDefined();
          const e = est as NonNullable<typeof est>;
          expect(Math.abs(offset - e.offset_ms)).toBeLessThanOrEqual(e.bound_ms + 1e-6);
          expect(e.bound_ms).toBeLessThanOrEqual(500 + 150);
        },
      ),
    );
  });

  it("converges to about the round trip when probes are timed at the predicted tick", () => {
    const offset = 1234.567;
    const rtt = 2;
    let now = 1.7e12 + 123.4;
    const samples: ClockSample[] = [sample(offset, now, rtt, 0.5)];
    for (let i = 0; i < 12; i++) {
      const e = estimateOffset(samples) as NonNullable<ReturnType<typeof estimateOffset>>;
      now = nextProbeAtMs({ loMs: e.offset_ms - e.bound_ms, hiMs: e.offset_ms + e.bound_ms }, now + rtt, rtt / 2);
      samples.push(sample(offset, now, rtt, 0.5));
    }
    const e = estimateOffset(samples) as NonNullable<ReturnType<typeof estimateOffset>>;
    expect(Math.abs(e.offset_ms - offset)).toBeLessThanOrEqual(e.bound_ms);
    expect(e.bound_ms).toBeLessThanOrEqual(rtt);
  });

  it("is undefined without samples; skips a sample that contradicts the rest", () => {
    expect(estimateOffset([])).toBeUndefined();
    const good = sample(0, 1.7e12 + 10, 1, 0.5);
    const bad = { ...sample(0, 1.7e12 + 20, 1, 0.5), serverS: good.serverS + 5 };
    expect(estimateOffset([good, bad])?.samples).toBe(1);
  });

  it("bounds the skew between two shards by their offsets and bounds", () => {
    const a = { offset_ms: 10, bound_ms: 3, samples: 5, source: "http-date" as const };
    const b = { offset_ms: -5, bound_ms: 2, samples: 5, source: "http-date" as const };
    expect(pairwiseSkewBoundMs(a, b)).toBe(20);
  });

  it("reads chrony's tracking offset", () => {
    const csv = "A9FEA97B,169.254.169.123,4,1700000000.1,-0.000012345,0.000001,0.00002,-1.2,0.001,0.02,0.0003,0.00045,64.2,Normal\n";
    expect(parseChronyTracking(csv)).toEqual({ source: "chronyc", offset_ms: -0.012345, root_dispersion_ms: 0.45 });
    expect(parseChronyTracking("garbage")).toBeUndefined();
  });
});
