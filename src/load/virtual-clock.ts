// Owns a discrete-event virtual clock: time jumps to the next pending timer once every
// promise chain has settled. Used to test schedules exactly and to run loads in virtual time.

import type { Clock } from "../clock.js";

interface Timer {
  atMs: number;
  seq: number;
  resolve: () => void;
}

export class VirtualClock implements Clock {
  private now: number;
  private seq = 0;
  private timers: Timer[] = [];
  private pumping = false;

  constructor(startMs = 0) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    if (atMs <= this.now || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = (): void => this.fire(timer);
      const timer: Timer = {
        atMs,
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pump();
    });
  }

  private fire(timer: Timer): void {
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
    timer.resolve();
  }

  /** Advances time to the earliest timer whenever the process has nothing else to do. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const step = (): void => {
      if (this.timers.length === 0) {
        this.pumping = false;
        return;
      }
      this.timers.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const timer = this.timers.shift() as Timer;
      this.now = Math.max(this.now, timer.atMs);
      timer.resolve();
      setImmediate(step);
    };
    setImmediate(step);
  }
}
