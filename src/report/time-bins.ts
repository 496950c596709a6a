// Owns time series of unknown length in bounded memory: values are added into fixed-width time
// bins that double in width (merging neighbours) whenever the series would exceed `maxBins`.

export type BinMode = "sum" | "max";

export class TimeBins {
  private values: number[] = [];
  private present: boolean[] = [];
  widthMs: number;

  constructor(
    readonly mode: BinMode,
    initialWidthMs = 100,
    readonly maxBins = 1000,
  ) {
    this.widthMs = initialWidthMs;
  }

  add(tMs: number, value: number): void {
    if (!Number.isFinite(tMs) || !Number.isFinite(value)) return;
    let i = Math.floor(Math.max(0, tMs) / this.widthMs);
    while (i >= this.maxBins) {
      this.coarsen();
      i = Math.floor(Math.max(0, tMs) / this.widthMs);
    }
    while (this.values.length <= i) {
      this.values.push(0);
      this.present.push(false);
    }
    const old = this.values[i] as number;
    this.values[i] = this.mode === "sum" ? old + value : this.present[i] ? Math.max(old, value) : value;
    this.present[i] = true;
  }

  private coarsen(): void {
    const values: number[] = [];
    const present: boolean[] = [];
    for (let i = 0; i < this.values.length; i += 2) {
      const a = this.values[i] as number;
      const b = this.values[i + 1];
      const pa = this.present[i] as boolean;
      const pb = this.present[i + 1] ?? false;
      if (this.mode === "sum") values.push(a + (b ?? 0));
      else values.push(pa && pb ? Math.max(a, b as number) : pa ? a : (b ?? 0));
      present.push(pa || pb);
    }
    this.values = values;
    this.present = present;
    this.widthMs *= 2;
  }

  /** [bin centre ms, value] for every bin; `sum` bins can be divided by the width to get a rate. */
  points(perSecond = false): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const scale = perSecond ? 1000 / this.widthMs : 1;
    for (let i = 0; i < this.values.length; i++) {
      if (this.mode === "max" && !this.present[i]) continue;
      out.push([(i + 0.5) * this.widthMs, (this.values[i] as number) * scale]);
    }
    return out;
  }
}
