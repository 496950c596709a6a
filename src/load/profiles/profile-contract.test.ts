// One contract suite run against every multi-level load profile (fixed levels, sweep, SLO search
// by rate and by concurrency) with a fake server of known capacity; then what each one promises.
import { describe, expect, it } from "vitest";
import { fixedLevels } from "./fixed-levels.js";
import { loadValue, type LevelOutcome, type LoadProfile, type ProfileStep } from "./profile.js";
import { sloSearchProfile, sloSearchResult } from "./slo-search.js";
import { sweepProfile } from "./sweep.js";

/** A server that completes min(load, capacity) req/s and meets the SLO up to `sloLimit`. */
function fakeServer(capacity: number, sloLimit: number) {
  return (step: ProfileStep): LevelOutcome => {
    const value = loadValue(step.load);
    const offered = step.load.kind === "rate" ? value : value * 10; // 10 req/s per concurrent stream
    return { load: step.load, role: step.role, requestPerS: Math.min(offered, capacity), meetsSlo: value <= sloLimit, stoppedEarly: offered > capacity * 1.5 };
  };
}

function drive(profile: LoadProfile, server: (step: ProfileStep) => LevelOutcome, max = 100): LevelOutcome[] {
  const history: LevelOutcome[] = [];
  for (let step = profile.next(history); step !== undefined; step = profile.next(history)) {
    history.push(server(step));
    if (history.length > max) throw new Error("profile did not terminate");
  }
  return history;
}

const profiles: Record<string, { make: () => LoadProfile; bound: number }> = {
  "fixed levels": {
    make: () =>
      fixedLevels([
        { kind: "concurrency", concurrency: 1 },
        { kind: "rate", ratePerSec: 5 },
      ]),
    bound: 2,
  },
  sweep: { make: () => sweepProfile({ rates: 5, maxConcurrency: 64 }), bound: 7 },
  "slo-search by rate": { make: () => sloSearchProfile({ by: "rate", start: 1, tolerance: 0.05, maxLevels: 12 }), bound: 12 },
  "slo-search by concurrency": { make: () => sloSearchProfile({ by: "concurrency", start: 1, tolerance: 0.05, maxLevels: 12 }), bound: 12 },
};

for (const [name, { make, bound }] of Object.entries(profiles)) {
  describe(`profile contract: ${name}`, () => {
    for (const [capacity, limit] of [
      [40, 30],
      [5, 0.5],
      [1000, 900],
    ] as const) {
      it(`terminates within ${bound} levels with positive, finite loads (capacity ${capacity})`, () => {
        const history = drive(make(), fakeServer(capacity, limit));
        expect(history.length).toBeGreaterThan(0);
        expect(history.length).toBeLessThanOrEqual(bound);
        for (const h of history) {
          expect(Number.isFinite(loadValue(h.load)) && loadValue(h.load) > 0).toBe(true);
          if (h.load.kind === "concurrency") expect(Number.isInteger(h.load.concurrency)).toBe(true);
        }
      });
    }

    it("is a pure function of the history: same outcomes, same levels; done stays done", () => {
      const a = drive(make(), fakeServer(40, 30));
      const b = drive(make(), fakeServer(40, 30));
      expect(a.map((h) => h.load)).toEqual(b.map((h) => h.load));
      expect(make().next(a)).toBeUndefined();
    });
  });
}

describe("sweep", () => {
  it("runs synchronous, throughput, then N rates evenly between the measured rates", () => {
    const history = drive(sweepProfile({ rates: 3, maxConcurrency: 64 }), fakeServer(40, 30));
    expect(history.map((h) => [h.role, h.load])).toEqual([
      ["synchronous", { kind: "concurrency", concurrency: 1 }],
      ["throughput", { kind: "concurrency", concurrency: 64 }],
      ["sweep", { kind: "rate", ratePerSec: 17.5 }],
      ["sweep", { kind: "rate", ratePerSec: 25 }],
      ["sweep", { kind: "rate", ratePerSec: 32.5 }],
    ]);
  });
});

describe("slo-search", () => {
  it("brackets by doubling, then bisects to within the tolerance", () => {
    const options = { by: "rate" as const, start: 1, tolerance: 0.05, maxLevels: 20 };
    const history = drive(sloSearchProfile(options), fakeServer(1000, 23.3));
    expect(history.slice(0, 6).map((h) => loadValue(h.load))).toEqual([1, 2, 4, 8, 16, 32]);
    const result = sloSearchResult(history, options);
    expect(result.converged).toBe(true);
    expect(result.best).toBeLessThanOrEqual(23.3);
    expect(((result.failedAbove as number) - (result.best as number)) / (result.failedAbove as number)).toBeLessThanOrEqual(0.05);
    expect(result.best).toBeGreaterThan(23.3 * 0.95);
  });

  it("halves down when the first probe fails, and reports nothing when even tiny loads fail", () => {
    const options = { by: "rate" as const, start: 100, tolerance: 0.1, maxLevels: 30 };
    const down = drive(sloSearchProfile(options), fakeServer(1000, 30));
    expect(down.slice(0, 3).map((h) => loadValue(h.load))).toEqual([100, 50, 25]);
    expect(sloSearchResult(down, options).best).toBeGreaterThan(27);
    const never = drive(sloSearchProfile(options), fakeServer(1000, 0));
    expect(sloSearchResult(never, options)).toMatchObject({ best: undefined, converged: false });
  });

  it("counts a level that stopped early as failing, and searches integers by concurrency", () => {
    const options = { by: "concurrency" as const, start: 1, tolerance: 0.05, maxLevels: 20 };
    const history = drive(sloSearchProfile(options), fakeServer(1000, 13));
    const result = sloSearchResult(history, options);
    expect(result).toMatchObject({ best: 13, failedAbove: 14, converged: true });
    const stopped: LevelOutcome[] = [{ load: { kind: "rate", ratePerSec: 4 }, role: "probe", requestPerS: 4, meetsSlo: true, stoppedEarly: true }];
    expect(sloSearchResult(stopped, { by: "rate", tolerance: 0.05 }).best).toBeUndefined();
  });

  it("stops at maxLevels and reports the bracket found so far", () => {
    const options = { by: "rate" as const, start: 1, tolerance: 0.001, maxLevels: 8 };
    const history = drive(sloSearchProfile(options), fakeServer(1000, 23.3));
    expect(history).toHaveLength(8);
    expect(sloSearchResult(history, options)).toMatchObject({ converged: false, probes: 8 });
  });
});
