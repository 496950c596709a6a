// Owns `servebench compare A B`: flags → compareRuns, the table (or JSON) on stdout, and the
// CI exit code: 4 when a --fail-if condition holds at any matched level, 2 for bad input.

import { parsePositiveInt, parseNonNegativeInt } from "../config/units.js";
import { compareRuns, DEFAULT_COMPARE_METRICS, isCompareMetric, type Comparison } from "../report/compare.js";
import { formatValue, renderComparisonText } from "../report/compare-render.js";
import { conditionFails, parseConditions, type FailCondition } from "../report/fail-if.js";
import { EXIT } from "./exit-codes.js";

type Raw = Record<string, string | boolean | string[] | undefined>;

function failures(c: Comparison, conditions: readonly FailCondition[], significantOnly: boolean): string[] {
  const out: string[] = [];
  for (const cond of conditions) {
    for (const level of c.levels) {
      const ch = level.changes.find((x) => x.metric === cond.metric);
      if (!ch || conditionFails(cond, ch.a, ch.b) !== true) continue;
      if (significantOnly && ch.withinNoise === true) continue;
      const change = ch.relative === undefined ? "" : ` (${ch.relative >= 0 ? "+" : ""}${(ch.relative * 100).toFixed(1)}%)`;
      out.push(`FAIL ${cond.text} at ${level.load}: ${formatValue(ch.a)} → ${formatValue(ch.b)}${change}${ch.withinNoise ? ", inside the noise" : ""}`);
    }
  }
  return out;
}

export async function compareCommand(a: string, b: string, raw: Raw): Promise<number> {
  const failIf = Array.isArray(raw.failIf) ? raw.failIf : [];
  const metricFlag =
    typeof raw.metric === "string"
      ? raw.metric
          .split(",")
          .map((m) => m.trim())
          .filter((m) => m !== "")
      : [];
  const conditions = parseConditions(failIf, isCompareMetric);
  // Every metric a condition names is compared too, so the table shows what failed.
  const metrics = [...new Set([...(metricFlag.length > 0 ? metricFlag : DEFAULT_COMPARE_METRICS), ...conditions.map((c) => c.metric)])];
  const comparison = await compareRuns({
    a,
    b,
    metrics,
    seed: typeof raw.seed === "string" ? parseNonNegativeInt(raw.seed, "--seed") : 0,
    resamples: typeof raw.resamples === "string" ? parsePositiveInt(raw.resamples, "--resamples") : 1000,
  });
  const failed = failures(comparison, conditions, raw.significantOnly === true);
  if (raw.json === true) {
    const json = {
      a: comparison.a.dir,
      b: comparison.b.dir,
      confidence: comparison.confidence,
      levels: comparison.levels,
      unmatched: comparison.unmatched,
      failures: failed,
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(renderComparisonText(comparison));
    if (failed.length > 0) process.stdout.write(`\n${failed.join("\n")}\n`);
  }
  return failed.length > 0 ? EXIT.compareFailed : EXIT.ok;
}
