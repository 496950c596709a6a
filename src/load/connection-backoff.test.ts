import { describe, expect, it } from "vitest";
import { ConnectionBackoff } from "./connection-backoff.js";

describe("ConnectionBackoff", () => {
  it("waits only after failures in a row, doubling up to the cap", () => {
    const b = new ConnectionBackoff({ failuresBeforeBackoff: 2, initialDelayMs: 100, maxDelayMs: 350 });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      b.failed(i);
      delays.push(b.delayMs());
    }
    expect(delays).toEqual([0, 100, 200, 350, 350]);
    b.answered(10);
    expect(b.delayMs()).toBe(0);
  });

  it("gives up only when failures in a row are both many and long-lasting, and says since when", () => {
    const b = new ConnectionBackoff({ giveUpAfterMs: 1000, minFailuresToGiveUp: 4 });
    b.answered(500);
    b.failed(2000);
    b.failed(2100);
    b.failed(2200);
    expect(b.verdict(3500, 0)).toBeUndefined(); // long enough, but only 3
    b.failed(2300);
    expect(b.verdict(2400, 0)).toBeUndefined(); // 4, but only 0.4 s
    expect(b.verdict(3000, 0)).toMatch(/stopped answering at \+2\.0 s .*4 connection failures in a row over 1\.0 s; it last answered at \+0\.5 s/);
  });
});
