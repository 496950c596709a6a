// Owns the linear ramp of an open loop: the rate grows from 0 to r over rampMs, then stays at r.
// Arrivals are generated at the full rate and their times stretched (time rescaling), so a
// Poisson process stays Poisson with the ramped intensity, and the same seed gives the same sends.

/**
 * Maps an offset in full-rate time to real time. The expected arrivals by real time t are
 * Λ(t) = r·t²/(2T) during the ramp and r·T/2 + r·(t − T) after it; at full rate they would be r·u,
 * so t = √(2·T·u) for u < T/2 and t = u + T/2 afterwards.
 * @example rampedOffsetMs(0, 60_000) // 0; rampedOffsetMs(30_000, 60_000) // 60_000 (end of the ramp)
 */
export function rampedOffsetMs(fullRateOffsetMs: number, rampMs: number): number {
  if (rampMs <= 0) return fullRateOffsetMs;
  return fullRateOffsetMs < rampMs / 2 ? Math.sqrt(2 * rampMs * fullRateOffsetMs) : fullRateOffsetMs + rampMs / 2;
}
