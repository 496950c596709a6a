// Owns parsing of the Prometheus text exposition format (0.0.4, plus the OpenMetrics bits engines
// emit: `# EOF`, exemplars, quoted UTF-8 names) into flat samples. Knows nothing about engines.
// Hand-written: the npm parsers drop labelled histogram _sum/_count or reject `vllm:` names (docs/development.md, "Dependencies and why").

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped" | string;

export interface Sample {
  /** Full sample name as exposed, suffix included: `vllm:prompt_tokens_total`, `x_bucket`. */
  name: string;
  labels: Readonly<Record<string, string>>;
  /** May be NaN or ±Infinity: the format allows them. */
  value: number;
  timestampMs?: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` declarations by family name as written (vLLM declares `foo_total counter`). */
  types: Map<string, MetricType>;
}

/** Thrown for any malformed line: like Prometheus, one bad line fails the whole scrape. */
export class PrometheusParseError extends Error {
  readonly lineNo: number;
  constructor(lineNo: number, reason: string, line: string) {
    super(`line ${lineNo}: ${reason}: ${line.length > 120 ? `${line.slice(0, 120)}…` : line}`);
    this.name = "PrometheusParseError";
    this.lineNo = lineNo;
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const METRIC_NAME_AT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME_AT = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

/**
 * Parses one exposition body. Throws PrometheusParseError naming the first bad line.
 * @example parsePrometheusText('up{job="a"} 1\n').samples[0]?.value === 1
 */
export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, MetricType>();
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    lineNo += 1;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) {
      if (trimmed === "# EOF") break;
      parseComment(trimmed, types, lineNo);
      continue;
    }
    samples.push(parseSampleLine(trimmed, lineNo));
  }
  return { samples, types };
}

function parseComment(line: string, types: Map<string, MetricType>, lineNo: number): void {
  if (!line.includes("TYPE")) return; // HELP, UNIT and free comments carry nothing we use
  const m = /^#\s+TYPE\s+(\S+)\s+(\S+)\s*$/.exec(line);
  if (m === null) {
    if (/^#\s+TYPE\b/.test(line)) throw new PrometheusParseError(lineNo, "malformed TYPE line", line);
    return; // HELP, UNIT and free comments carry nothing we use
  }
  const name = m[1] ?? "";
  const type = (m[2] ?? "").toLowerCase();
  if (!METRIC_NAME.test(name) && !name.startsWith('"')) throw new PrometheusParseError(lineNo, "bad metric name in TYPE", line);
  types.set(name.replace(/^"|"$/g, ""), type);
}

/** Cursor over one line; methods consume and return what they matched. */
class LineReader {
  pos = 0;
  constructor(
    readonly line: string,
    readonly lineNo: number,
  ) {}
  fail(reason: string): never {
    throw new PrometheusParseError(this.lineNo, reason, this.line);
  }
  skipSpaces(): void {
    while (this.line[this.pos] === " " || this.line[this.pos] === "\t") this.pos += 1;
  }
  peek(): string | undefined {
    return this.line[this.pos];
  }
  /** `re` must be sticky (`y`): it is matched exactly at the cursor without slicing the line. */
  match(re: RegExp, what: string): string {
    re.lastIndex = this.pos;
    const m = re.exec(this.line);
    if (m === null) this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }
  /** Reads a quoted label value; slices between escapes instead of building char by char. */
  quoted(): string {
    if (this.peek() !== '"') this.fail("expected '\"'");
    const line = this.line;
    let from = this.pos + 1;
    let out = "";
    for (;;) {
      const quote = line.indexOf('"', from);
      if (quote === -1) this.fail("unterminated label value");
      const slash = line.indexOf("\\", from);
      if (slash === -1 || slash > quote) {
        this.pos = quote + 1;
        return out + line.slice(from, quote);
      }
      out += line.slice(from, slash);
      const e = line[slash + 1];
      if (e === "n") out += "\n";
      else if (e === "\\" || e === '"') out += e;
      else this.fail("bad escape in label value");
      from = slash + 2;
    }
  }
  token(): string {
    const from = this.pos;
    while (this.pos < this.line.length && this.line[this.pos] !== " " && this.line[this.pos] !== "\t") this.pos += 1;
    return this.line.slice(from, this.pos);
  }
}

function parseSampleLine(line: string, lineNo: number): Sample {
  const r = new LineReader(line, lineNo);
  let name = r.peek() === "{" ? "" : r.match(METRIC_NAME_AT, "metric name");
  const labels: Record<string, string> = {};
  r.skipSpaces();
  if (r.peek() === "{") {
    r.pos += 1;
    name = parseLabels(r, labels, name);
  }
  if (name === "") r.fail("missing metric name");
  r.skipSpaces();
  const valueText = r.token();
  if (!FLOAT.test(valueText)) r.fail(`bad value '${valueText}'`);
  const sample: Sample = { name, labels, value: parseFloatText(valueText) };
  r.skipSpaces();
  const next = r.peek();
  if (next !== undefined && next !== "#") {
    const ts = r.token();
    if (!/^-?\d+(?:\.\d+)?$/.test(ts)) r.fail(`bad timestamp '${ts}'`);
    sample.timestampMs = Number(ts);
    r.skipSpaces();
  }
  // Anything left must be an OpenMetrics exemplar (`# {trace_id="…"} 1.0`); we ignore it.
  if (r.peek() !== undefined && r.peek() !== "#") r.fail("trailing characters");
  return sample;
}

/** Reads `a="x",b="y"}`; a bare quoted string is a UTF-8 metric name (Prometheus 3). */
function parseLabels(r: LineReader, labels: Record<string, string>, name: string): string {
  let metricName = name;
  for (;;) {
    r.skipSpaces();
    if (r.peek() === "}") {
      r.pos += 1;
      return metricName;
    }
    let key: string;
    if (r.peek() === '"') {
      key = r.quoted();
      r.skipSpaces();
      if (r.peek() !== "=") {
        if (metricName !== "") r.fail("two metric names");
        metricName = key;
        if (r.peek() === ",") r.pos += 1;
        continue;
      }
    } else {
      key = r.match(LABEL_NAME_AT, "label name");
    }
    r.skipSpaces();
    if (r.peek() !== "=") r.fail("expected '='");
    r.pos += 1;
    r.skipSpaces();
    const value = r.quoted();
    if (Object.hasOwn(labels, key)) r.fail(`duplicate label '${key}'`);
    labels[key] = value;
    r.skipSpaces();
    if (r.peek() === ",") r.pos += 1;
    else if (r.peek() !== "}") r.fail("expected ',' or '}'");
  }
}

function parseFloatText(text: string): number {
  const c = text.charCodeAt(text.length - 1);
  if (c >= 48 && c <= 57) return Number(text); // ends in a digit: plain decimal (already validated)
  const lower = text.toLowerCase();
  if (lower.endsWith("nan")) return Number.NaN;
  if (lower.endsWith("inf") || lower.endsWith("infinity")) return lower.startsWith("-") ? -Infinity : Infinity;
  return Number(text);
}

/** Canonical text key of a sample (`name{a="x",b="y"}`, labels sorted) for raw records. */
export function sampleKey(sample: Sample): string {
  const keys = Object.keys(sample.labels).sort();
  if (keys.length === 0) return sample.name;
  const parts = keys.map((k) => `${k}="${escapeLabelValue(sample.labels[k] ?? "")}"`);
  return `${sample.name}{${parts.join(",")}}`;
}

function escapeLabelValue(v: string): string {
  return /["\\\n]/.test(v) ? v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n") : v;
}
