// Owns the length-distribution spec (`--input-dist`, `--output-dist`): its syntax, its parsed
// shape and its zod schema. Sampling lives in src/workload/length-sampler.ts; no I/O here.

import { z } from "zod";
import { BenchError } from "../errors.js";

/** Every kind accepts optional `min=`/`max=` bounds; samples are rounded and clipped to them. */
export type LengthDist =
  | { kind: "fixed"; value: number }
  | { kind: "uniform"; min: number; max: number }
  | { kind: "normal"; mean: number; std: number; min?: number; max?: number }
  | { kind: "lognormal"; mean?: number; median?: number; sigma: number; min?: number; max?: number }
  | { kind: "histogram"; file: string; min?: number; max?: number };

const positive = z.number().positive();
const bounds = { min: positive.optional(), max: positive.optional() };

export const lengthDistObjectSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fixed"), value: z.number().int().positive() }),
  z.object({ kind: z.literal("uniform"), min: positive, max: positive }),
  z.object({ kind: z.literal("normal"), mean: positive, std: z.number().nonnegative(), ...bounds }),
  z.object({ kind: z.literal("lognormal"), mean: positive.optional(), median: positive.optional(), sigma: z.number().nonnegative(), ...bounds }),
  z.object({ kind: z.literal("histogram"), file: z.string().min(1), ...bounds }),
]);

/** Accepts the flag syntax (a string) or the parsed object (plan files may give either). */
export const lengthDistSchema = z.preprocess((value, ctx) => {
  if (typeof value !== "string") return value;
  try {
    return parseLengthDist(value, "distribution");
  } catch (error) {
    ctx.issues.push({ code: "custom", message: (error as Error).message, input: value });
    return z.NEVER;
  }
}, lengthDistObjectSchema) as z.ZodType<LengthDist, LengthDist | string>;

const KEYS: Record<LengthDist["kind"], { required: string[]; optional: string[] }> = {
  fixed: { required: ["value"], optional: [] },
  uniform: { required: ["min", "max"], optional: [] },
  normal: { required: ["mean", "std"], optional: ["min", "max"] },
  lognormal: { required: ["sigma"], optional: ["mean", "median", "min", "max"] },
  histogram: { required: [], optional: ["min", "max"] },
};

/**
 * Parses `512`, `fixed:512`, `uniform:min=128,max=1024`, `normal:mean=512,std=128`,
 * `lognormal:mean=512,sigma=0.5` (or `median=`), `hist:lengths.csv` (+ `,min=…,max=…`).
 * @example parseLengthDist("lognormal:mean=512,sigma=0.5,max=4096", "--input-dist")
 */
export function parseLengthDist(text: string, flag: string): LengthDist {
  const bad = (why: string): BenchError =>
    new BenchError("E_BAD_FLAG", `${flag}: "${text}" ${why}; e.g. 512, uniform:min=128,max=1024, lognormal:mean=512,sigma=0.5, hist:file.csv`, { where: flag });
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return checked({ kind: "fixed", value: Number(trimmed) }, bad);
  const colon = trimmed.indexOf(":");
  if (colon < 0) throw bad("is not a length distribution");
  const name = trimmed.slice(0, colon).trim().toLowerCase();
  const rest = trimmed.slice(colon + 1).trim();
  const kind = name === "hist" ? "histogram" : name;
  if (!(kind in KEYS)) throw bad(`has unknown kind "${name}"`);
  if (kind === "fixed") {
    if (!/^\d+$/.test(rest)) throw bad("needs a positive integer after fixed:");
    return checked({ kind: "fixed", value: Number(rest) }, bad);
  }
  const parts = rest.split(",").map((p) => p.trim());
  const params: Record<string, number> = {};
  let file: string | undefined;
  for (const [i, part] of parts.entries()) {
    const eq = part.indexOf("=");
    if (kind === "histogram" && i === 0 && eq < 0) {
      file = part;
      continue;
    }
    const key = part.slice(0, eq).trim();
    const value = Number(part.slice(eq + 1).trim());
    if (eq < 0 || !Number.isFinite(value)) throw bad(`has a bad parameter "${part}" (expected key=number)`);
    const allowed = [...KEYS[kind as LengthDist["kind"]].required, ...KEYS[kind as LengthDist["kind"]].optional];
    if (!allowed.includes(key)) throw bad(`has an unknown parameter "${key}" for ${kind} (allowed: ${allowed.join(", ")})`);
    params[key] = value;
  }
  for (const key of KEYS[kind as LengthDist["kind"]].required) {
    if (params[key] === undefined) throw bad(`needs ${key}=`);
  }
  if (kind === "histogram") {
    if (file === undefined || file === "") throw bad("needs a file after hist:");
    return checked({ kind: "histogram", file, ...params }, bad);
  }
  if (kind === "lognormal" && (params["mean"] === undefined) === (params["median"] === undefined)) {
    throw bad("needs exactly one of mean= or median=");
  }
  return checked({ kind, ...params } as LengthDist, bad);
}

function checked(dist: LengthDist, bad: (why: string) => BenchError): LengthDist {
  const result = lengthDistObjectSchema.safeParse(dist);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw bad(`has ${String(issue?.path[0] ?? "a value")} ${issue?.message ?? "out of range"}`);
  }
  const lo = "min" in dist ? dist.min : undefined;
  const hi = "max" in dist ? dist.max : undefined;
  if (lo !== undefined && hi !== undefined && lo > hi) throw bad("has min greater than max");
  return dist;
}

/** The flag syntax back from a spec (for labels and run info). */
export function formatLengthDist(dist: LengthDist): string {
  if (dist.kind === "fixed") return String(dist.value);
  const { kind, ...rest } = dist;
  const head = kind === "histogram" ? `hist:${dist.file}` : `${kind}:`;
  const params = Object.entries(rest)
    .filter(([key, v]) => key !== "file" && v !== undefined)
    .map(([key, v]) => `${key}=${String(v)}`);
  return kind === "histogram" ? [head, ...params].join(",") : head + params.join(",");
}
