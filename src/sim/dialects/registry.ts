// Owns the dialect registry: name → implementation (the only place that lists them all).

import { BenchError } from "../../errors.js";
import type { Dialect, DialectName } from "./dialect.js";
import { DIALECT_NAMES } from "./dialect.js";
import { llamacpp } from "./llamacpp.js";
import { sglang } from "./sglang.js";
import { tgi } from "./tgi.js";
import { vllmRs } from "./vllm-rs.js";
import { vllmV0, vllmV1 } from "./vllm.js";

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = { vllm: vllmV1, "vllm-v0": vllmV0, sglang, tgi, llamacpp, "vllm-rs": vllmRs };

export function dialectByName(name: string): Dialect {
  const d = (DIALECTS as Record<string, Dialect | undefined>)[name];
  if (d === undefined) throw new BenchError("E_BAD_FLAG", `\`dialect\`: "${name}" is not one of ${DIALECT_NAMES.join(", ")}`, { where: "dialect" });
  return d;
}
