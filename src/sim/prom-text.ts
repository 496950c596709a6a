// Owns the Prometheus text pieces every dialect's /metrics shares: a histogram with fixed buckets,
// the request-event counters all servers keep, and number formats (Python repr, Rust, C %g).

export type FinishedReason = "stop" | "length" | "abort";

export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bucketsUpper: readonly number[]) {
    this.counts = bucketsUpper.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    const i = this.bucketsUpper.findIndex((upper) => value <= upper);
    if (i >= 0) this.counts[i] = (this.counts[i] ?? 0) + 1;
  }
  /** Cumulative counts per bucket, then the +Inf count. */
  cumulative(): number[] {
    let c = 0;
    return this.counts.map((n) => (c += n));
  }
}

/** Gauges read from the engine at scrape time. */
export interface ScrapeGauges {
  running: number;
  waiting: number;
  /** 0..1 */
  kvCacheUsage: number;
  prefixCacheQueries?: number;
  prefixCacheHits?: number;
  preemptions?: number;
  /** KV tokens in use and free (SGLang reports tokens, not blocks). */
  kvUsedTokens?: number;
  kvFreeTokens?: number;
}

/**
 * The request events every server's metrics are built from. Each dialect extends this with its own
 * histograms (bucket layouts differ) and renders its own names.
 */
export abstract class MetricsBase {
  promptTokens = 0;
  generationTokens = 0;
  requests = 0;
  readonly finished: Record<FinishedReason, number> = { stop: 0, length: 0, abort: 0 };

  /** Prompt tokens found in the prefix cache at admission (llama.cpp counts them apart). */
  cachedPromptTokens = 0;

  /** The request left the waiting queue; its prompt is being prefilled. */
  onAdmitted(queueMs: number, promptTokens: number, cachedTokens = 0): void {
    this.promptTokens += promptTokens;
    this.cachedPromptTokens += cachedTokens;
    this.observeQueue(queueMs / 1000);
  }
  /** The first output (`tokens` > 1 with speculative decoding) reached the client. */
  onFirstToken(ttftMs: number, tokens = 1): void {
    this.generationTokens += tokens;
    this.observeTtft(ttftMs / 1000);
  }
  /** A later output; one inter-token latency per engine output, however many tokens it carries. */
  onNextToken(itlMs: number, tokens = 1): void {
    this.generationTokens += tokens;
    this.observeItl(itlMs / 1000);
  }
  /** `cachedTokens`: of `promptTokens`, those the prefix cache served. */
  onFinished(reason: FinishedReason, e2eMs: number, promptTokens: number, generationTokens: number, _cachedTokens = 0): void {
    this.requests++;
    this.finished[reason]++;
    this.observeFinished(e2eMs / 1000, promptTokens, generationTokens);
  }
  protected observeQueue(_s: number): void {}
  protected observeTtft(_s: number): void {}
  protected observeItl(_s: number): void {}
  protected observeFinished(_e2eS: number, _promptTokens: number, _generationTokens: number): void {}
  abstract render(gauges: ScrapeGauges): string;
}

/** Python float repr, as prometheus_client prints: 3 → "3.0". */
export function pyNum(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e21 ? `${value}.0` : String(value);
}

/** C printf %g (llama.cpp): 6 significant digits, no trailing zeros. */
export function cNum(value: number): string {
  if (value === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(value)));
  if (exp < -4 || exp >= 6) {
    const [m = "0", e = "0"] = value.toExponential(5).split("e");
    const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const s = value.toPrecision(6);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Appends HELP/TYPE lines (HELP omitted when empty, as metrics-exporter-prometheus does without a description). */
export function family(out: string[], name: string, type: string, help: string): void {
  if (help !== "") out.push(`# HELP ${name} ${help}`);
  out.push(`# TYPE ${name} ${type}`);
}

/** Sample order of a histogram family: prometheus_client (vLLM), its multiprocess collector (SGLang), Rust exporter (TGI). */
export type HistogramOrder = "buckets-count-sum" | "sum-count-buckets" | "buckets-sum-count" | "sum-buckets-count";

/** Histogram samples with `le` placed by `labelsWith(le)`; `labels` for _sum/_count. */
export function histogramLines(
  out: string[],
  name: string,
  h: Histogram,
  labelsWith: (le: string) => string,
  labels: string,
  num: (v: number) => string,
  order: HistogramOrder = "buckets-count-sum",
): void {
  const cumulative = h.cumulative();
  const buckets = h.bucketsUpper.map((upper, i) => `${name}_bucket${labelsWith(num(upper))} ${num(cumulative[i] ?? 0)}`);
  buckets.push(`${name}_bucket${labelsWith("+Inf")} ${num(h.count)}`);
  const sum = `${name}_sum${labels} ${num(h.sum)}`;
  const count = `${name}_count${labels} ${num(h.count)}`;
  if (order === "sum-count-buckets") out.push(sum, count, ...buckets);
  else if (order === "buckets-sum-count") out.push(...buckets, sum, count);
  else if (order === "sum-buckets-count") out.push(sum, ...buckets, count);
  else out.push(...buckets, count, sum);
}
