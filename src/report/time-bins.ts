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

  /** Spreads `value` evenly over [t0Ms, t1Ms] (sum mode): a stream's tokens over its decode time. */
  addSpread(t0Ms: number, t1Ms: number, value: number): void {
    if (!(t1Ms > t0Ms)) {
      this.add(t1Ms, value);
      return;
    }
    this.add(t1Ms, 0); // coarsen first, so the loop below sees the final width
    const span = t1Ms - t0Ms;
    const first = Math.floor(Math.max(0, t0Ms) / this.widthMs);
    const last = Math.floor(Math.max(0, t1Ms) / this.widthMs);
    for (let i = first; i <= last; i++) {
      const lo = Math.max(t0Ms, i * this.widthMs);
      const hi = Math.min(t1Ms, (i + 1) * this.widthMs);
      if (hi > lo) this.add(lo, (value * (hi - lo)) / span);
    }
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

  /** Adds another series binned from the same origin: both are first brought to the wider width. */
  merge(other: TimeBins): void {
    const o = TimeBins.fromData(other.toData());
    while (this.widthMs < o.widthMs) this.coarsen();
    while (o.widthMs < this.widthMs) o.coarsen();
    o.values.forEach((v, i) => {
      if (o.present[i]) this.add((i + 0.5) * this.widthMs, v);
    });
  }

  toData(): { mode: BinMode; widthMs: number; maxBins: number; values: number[]; present: boolean[] } {
    return { mode: this.mode, widthMs: this.widthMs, maxBins: this.maxBins, values: this.values, present: this.present };
  }

  static fromData(data: { mode: BinMode; widthMs: number; maxBins: number; values: number[]; present: boolean[] }): TimeBins {
    const bins = new TimeBins(data.mode, data.widthMs, data.maxBins);
    bins.values = [...data.values];
    bins.present = [...data.present];
    return bins;
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
