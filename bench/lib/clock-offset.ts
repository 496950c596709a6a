// Bench helper: how far a server's clock (its GET /clock, `{"nowMs"}` on performance.timeOrigin + now)
// is from this process's, measured as NTP does: the server's reading against the midpoint of the
// round trip, from the round trip with the least delay (its error is at most half that round trip).

import { Agent, get } from "node:http";

export interface ClockOffset {
  /** Server clock − this process's clock, ms. */
  offsetMs: number;
  /** The round trip it was read from, ms: the offset is right within ± half of it. */
  rttMs: number;
}

const nowMs = (): number => performance.timeOrigin + performance.now();

function ping(url: string, agent: Agent): Promise<{ t0: number; serverMs: number; t1: number }> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    get(url, { agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        const t1 = nowMs();
        try {
          resolve({ t0, serverMs: (JSON.parse(body) as { nowMs: number }).nowMs, t1 });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    }).on("error", reject);
  });
}

/** `pings` sequential round trips on one kept-alive connection (the first one, which connects, is not used). */
export async function measureClockOffset(baseUrl: string, pings = 20): Promise<ClockOffset> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL("/clock", baseUrl).toString();
  let best: ClockOffset = { offsetMs: NaN, rttMs: Infinity };
  try {
    await ping(url, agent);
    for (let i = 0; i < pings; i++) {
      const { t0, serverMs, t1 } = await ping(url, agent);
      if (t1 - t0 < best.rttMs) best = { offsetMs: serverMs - (t0 + t1) / 2, rttMs: t1 - t0 };
    }
  } finally {
    agent.destroy();
  }
  return best;
}
