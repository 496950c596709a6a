// Parser edge cases: escapes, special values, timestamps, exemplars, and strict failure.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PrometheusParseError, parsePrometheusText, sampleKey } from "./prometheus.js";

describe("parsePrometheusText", () => {
  it("reads names, labels, values and TYPE lines", () => {
    const { samples, types } = parsePrometheusText('# HELP vllm:x Help with \\n escape\n# TYPE vllm:x gauge\nvllm:x{a="1",b="two"} 3.5\nplain 7\n');
    expect(samples).toEqual([
      { name: "vllm:x", labels: { a: "1", b: "two" }, value: 3.5 },
      { name: "plain", labels: {}, value: 7 },
    ]);
    expect(types.get("vllm:x")).toBe("gauge");
  });

  it("unescapes label values and keeps commas and braces inside them", () => {
    const { samples } = parsePrometheusText('m{path="a\\\\b",q="say \\"hi\\"",n="l1\\nl2",c="x,}y"} 1');
    expect(samples[0]?.labels).toEqual({ path: "a\\b", q: 'say "hi"', n: "l1\nl2", c: "x,}y" });
  });

  it("handles +Inf, -Inf, NaN, exponents, timestamps, exemplars, trailing comma, CRLF and no final newline", () => {
    const { samples } = parsePrometheusText('a +Inf\r\nb -Inf\nc NaN\nd 1.28455e+06 1700000000000\ne{x="1",} 2 # {trace_id="abc"} 1.0\n  f\t4');
    expect(samples.map((s) => s.value)).toEqual([Infinity, -Infinity, Number.NaN, 1284550, 2, 4]);
    expect(samples[3]?.timestampMs).toBe(1700000000000);
    expect(samples[4]?.labels).toEqual({ x: "1" });
  });

  it("accepts quoted UTF-8 metric names and stops at # EOF", () => {
    const { samples } = parsePrometheusText('{"my.metric",a="b"} 1\n# EOF\nignored 2\n');
    expect(samples).toEqual([{ name: "my.metric", labels: { a: "b" }, value: 1 }]);
  });

  it.each([
    ["<html><body>oops</body></html>", 1],
    ["ok 1\nbad{a=1} 2", 2],
    ['m{a="x"', 1],
    ["m 1 2 3", 1],
    ["m abc", 1],
    ['m{a="1",a="2"} 1', 1],
    ['m{a="\\q"} 1', 1],
    ["m", 1],
    ["# TYPE m", 1],
  ])("rejects %j naming line %i", (text, lineNo) => {
    try {
      parsePrometheusText(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PrometheusParseError);
      expect((error as PrometheusParseError).lineNo).toBe(lineNo);
    }
  });

  it("parses every shipped fixture", () => {
    for (const name of ["vllm-v1", "vllm-v0", "vllm-v1-specdecode", "sglang", "tgi", "llamacpp", "llamacpp-b4748-after-load"]) {
      const text = readFileSync(new URL(`../../test/fixtures/metrics/${name}.metrics.txt`, import.meta.url), "utf8");
      expect(parsePrometheusText(text).samples.length).toBeGreaterThan(5);
    }
  });

  it("builds a stable key with sorted labels", () => {
    expect(sampleKey({ name: "m", labels: { b: "2", a: 'q"' }, value: 1 })).toBe('m{a="q\\"",b="2"}');
    expect(sampleKey({ name: "m", labels: {}, value: 1 })).toBe("m");
  });
});
