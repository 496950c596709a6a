import { describe, expect, it } from "vitest";
import type { PlanIssue } from "./issues.js";
import { expandValue, referencedNames, type Scope } from "./variables.js";

const scope = (extra: Partial<Scope> = {}): Scope => ({
  vars: new Map<string, string | number | boolean>([
    ["ctx", 2048],
    ["gpu", "H100X1"],
    ["eager", true],
  ]),
  env: { HF_HOME: "/models", EMPTY: "" },
  final: true,
  ...extra,
});

function expand(value: unknown, extra: Partial<Scope> = {}): { value: unknown; issues: PlanIssue[] } {
  const issues: PlanIssue[] = [];
  return { value: expandValue(value, scope(extra), ["x"], issues), issues };
}

describe("${var} expansion", () => {
  it("keeps the type of a value that is exactly one reference, and interpolates inside text", () => {
    expect(expand("${ctx}").value).toBe(2048);
    expect(expand("${eager}").value).toBe(true);
    expect(expand("--max-model-len=${ctx}").value).toBe("--max-model-len=2048");
    expect(expand({ a: ["${gpu}", "${ctx}"] }).value).toEqual({ a: ["H100X1", 2048] });
  });

  it("reads the environment, with an optional default", () => {
    expect(expand("${env:HF_HOME}/hub").value).toBe("/models/hub");
    expect(expand("${env:EMPTY}").value).toBe("");
    expect(expand("${env:NOPE:-fallback}").value).toBe("fallback");
    const missing = expand("${env:NOPE}");
    expect(missing.issues).toEqual([{ path: ["x"], message: expect.stringMatching(/environment variable NOPE is not set/) as unknown }]);
  });

  it("reports an unknown variable with its path", () => {
    const r = expand({ cmd: ["a", "${gpuu}"] });
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]?.path).toEqual(["x", "cmd", 1]);
    expect(r.issues[0]?.message).toMatch(/unknown variable \$\{gpuu\}/);
  });

  it("says when a variable exists only in other cells", () => {
    const r = expand("${gpus}", { allNames: new Set(["gpus"]) });
    expect(r.issues[0]?.message).toMatch(/\$\{gpus\} has no value in this cell/);
  });

  it("defers ${port} to launch time and keeps $${ escapes until the last pass", () => {
    const first = expand("--port ${port} --x $${literal} ${gpu}", { deferred: new Set(["port"]), final: false });
    expect(first).toEqual({ value: "--port ${port} --x $${literal} H100X1", issues: [] });
    const last = expandValue(first.value, { vars: new Map([["port", 8000]]), env: {}, final: true }, [], []);
    expect(last).toBe("--port 8000 --x ${literal} H100X1");
  });

  it("can leave environment references unexpanded (what plan.json shows)", () => {
    expect(expand("Bearer ${env:HF_HOME}", { keepEnvRefs: true }).value).toBe("Bearer ${env:HF_HOME}");
  });

  it("lists referenced names, skipping escapes", () => {
    expect(referencedNames("${a} $${b} ${ env:C }")).toEqual(["a", "env:C"]);
  });
});
