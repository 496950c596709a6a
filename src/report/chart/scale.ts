// Owns mapping data to pixels for the chart module: linear and log scales with readable ticks,
// and compact tick labels. Pure numbers in, numbers and strings out.

export interface Scale {
  /** Data value → pixel coordinate. */
  (value: number): number;
  ticks: number[];
  domain: [number, number];
  log: boolean;
}

/** Round tick step (1, 2 or 5 × 10^k) giving about `count` ticks over [min, max]. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const factor = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return factor * mag;
}

/** Domain widened to whole steps, and the ticks inside it. */
export function niceDomain(min: number, max: number, count = 5): { domain: [number, number]; ticks: number[] } {
  let lo = min;
  let hi = max;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { domain: [0, 1], ticks: [0, 0.5, 1] };
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { domain: [start, end], ticks };
}

export function linearScale(min: number, max: number, range: [number, number], count = 5): Scale {
  const { domain, ticks } = niceDomain(min, max, count);
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const f = ((v: number) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0)) as Scale;
  f.ticks = ticks;
  f.domain = domain;
  f.log = false;
  return f;
}

/** Log10 scale over positive values; ticks at 1-2-5 steps when the range is short, decades otherwise. */
export function logScale(min: number, max: number, range: [number, number]): Scale {
  const lo = Math.max(min, Number.MIN_VALUE);
  const hi = Math.max(max, lo * 10);
  const e0 = Math.floor(Math.log10(lo));
  const e1 = Math.ceil(Math.log10(hi));
  const decades = Math.max(1, e1 - e0);
  const mantissas = decades <= 2 ? [1, 2, 5] : decades <= 5 ? [1, 3] : [1];
  const ticks: number[] = [];
  for (let e = e0; e <= e1; e++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= 10 ** e0 && v <= 10 ** e1) ticks.push(v);
    }
  }
  const [r0, r1] = range;
  const l0 = e0;
  const l1 = e0 + decades;
  const f = ((v: number) => r0 + ((Math.log10(Math.max(v, Number.MIN_VALUE)) - l0) / (l1 - l0)) * (r1 - r0)) as Scale;
  f.ticks = ticks;
  f.domain = [10 ** l0, 10 ** l1];
  f.log = true;
  return f;
}

/** Compact label: 1.2M, 35k, 640, 12.5, 0.25, 0.004. */
export function formatTick(value: number): string {
  const a = Math.abs(value);
  if (a === 0) return "0";
  if (a >= 1e9) return `${trim(value / 1e9, 2)}G`;
  if (a >= 1e6) return `${trim(value / 1e6, 2)}M`;
  if (a >= 1e4) return `${trim(value / 1e3, 1)}k`;
  if (a >= 100) return String(Math.round(value));
  if (a >= 1) return trim(value, 2);
  return String(Number(value.toPrecision(2)));
}

function trim(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}
