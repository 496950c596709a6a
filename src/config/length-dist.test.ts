// Tests for the length-distribution syntax: every kind, bounds, and errors that name the flag.
import { describe, expect, it } from "vitest";
import { formatLengthDist, lengthDistSchema, parseLengthDist } from "./length-dist.js";

describe("parseLengthDist", () => {
  it("parses every kind", () => {
    expect(parseLengthDist("512", "--input-dist")).toEqual({ kind: "fixed", value: 512 });
    expect(parseLengthDist("fixed:64", "--input-dist")).toEqual({ kind: "fixed", value: 64 });
    expect(parseLengthDist("uniform:min=128,max=1024", "--f")).toEqual({ kind: "uniform", min: 128, max: 1024 });
    expect(parseLengthDist("normal:mean=512,std=128,max=900", "--f")).toEqual({ kind: "normal", mean: 512, std: 128, max: 900 });
    expect(parseLengthDist("lognormal:mean=512,sigma=0.5", "--f")).toEqual({ kind: "lognormal", mean: 512, sigma: 0.5 });
    expect(parseLengthDist("lognormal: median=300 , sigma=1", "--f")).toEqual({ kind: "lognormal", median: 300, sigma: 1 });
    expect(parseLengthDist("hist:lengths.csv,max=4096", "--f")).toEqual({ kind: "histogram", file: "lengths.csv", max: 4096 });
  });

  it("rejects bad specs with a message naming the flag", () => {
    const bad = [
      "",
      "gauss:mean=1",
      "uniform:min=5",
      "normal:mean=x,std=1",
      "lognormal:sigma=1",
      "lognormal:mean=1,median=2,sigma=1",
      "uniform:min=10,max=5",
      "normal:mean=5,std=1,cap=3",
      "hist:",
      "fixed:-3",
      "uniform:min=0,max=3",
    ];
    for (const spec of bad) expect(() => parseLengthDist(spec, "--output-dist"), spec).toThrow(/^--output-dist: /);
  });

  it("round-trips through the label format and the schema accepts strings or objects", () => {
    for (const spec of ["512", "uniform:min=128,max=1024", "lognormal:mean=512,sigma=0.5", "hist:f.csv,min=2"]) {
      expect(formatLengthDist(parseLengthDist(spec, "--f"))).toBe(spec);
    }
    expect(lengthDistSchema.parse("normal:mean=5,std=1")).toEqual({ kind: "normal", mean: 5, std: 1 });
    expect(lengthDistSchema.parse({ kind: "fixed", value: 3 })).toEqual({ kind: "fixed", value: 3 });
    expect(lengthDistSchema.safeParse("nonsense").success).toBe(false);
  });
});
