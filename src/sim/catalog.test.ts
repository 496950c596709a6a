// Owns the GPU catalog's completeness rules: every entry states each spec the physics or a reader
// needs (null only where the hardware has no such path), names its source, and has a short id.

import { describe, expect, it } from "vitest";
import gpusJson from "./catalog/gpus.json" with { type: "json" };
import { findGpu, listGpus } from "./catalog.js";

type Entry = Record<string, unknown>;
const ENTRIES = gpusJson as unknown as Entry[];

/** Present in every entry; a number, or null when the part has no such tensor path or link. */
const NUMERIC_OR_NULL = [
  "bf16_tflops",
  "fp16_tflops",
  "fp8_tflops",
  "fp4_tflops",
  "int8_tops",
  "int4_tops",
  "interconnect_gbps",
  "interconnect_gbps_per_direction",
] as const;

describe("GPU catalog entries", () => {
  it.each(ENTRIES.map((e) => [String(e["name"]), e] as const))("%s has every spec field and a source", (_name, e) => {
    expect(e["memory_gb"]).toBeGreaterThan(0);
    expect(e["mem_bw_gbps"]).toBeGreaterThan(0);
    for (const key of NUMERIC_OR_NULL) {
      expect(key in e, `${key} missing`).toBe(true);
      const v = e[key];
      expect(v === null || (typeof v === "number" && v > 0), `${key} = ${String(v)}`).toBe(true);
    }
    // A 16-bit tensor path is what the roofline's linear layers need.
    expect(((e["bf16_tflops"] as number | null) ?? (e["fp16_tflops"] as number | null) ?? 0) > 0).toBe(true);
    // Dense FP8 is twice dense 16-bit on every part that has it, so a sparse figure next to a dense one shows here;
    // INT8 is never slower than 16-bit (CDNA 2 runs both at one rate).
    const bf16 = (e["bf16_tflops"] as number | null) ?? (e["fp16_tflops"] as number);
    const fp8 = e["fp8_tflops"] as number | null;
    const int8 = e["int8_tops"] as number | null;
    if (fp8 !== null) expect(fp8 / bf16).toBeCloseTo(2, 1);
    if (int8 !== null) expect(int8 / bf16).toBeGreaterThanOrEqual(1);
    expect(typeof e["interconnect"] === "string" && e["interconnect"].length > 0).toBe(true);
    expect(typeof e["source"] === "string" && e["source"].length > 20).toBe(true);
    expect(typeof e["int_ops_note"] === "string").toBe(true);
  });

  it("every entry is reachable by a short id, and the ids users type resolve", () => {
    const listed = listGpus().map((g) => g.name);
    expect([...listed].sort()).toEqual(ENTRIES.map((e) => String(e["name"])).sort());
    expect(findGpu("rtx-5090")).toMatchObject({ memoryGb: 32, memBwGBps: 1792, bf16Tflops: 209.5, pcieOnly: true });
    expect(findGpu("V100-32G")).toMatchObject({ memoryGb: 32, bf16Tflops: 125, pcieOnly: false });
    expect(findGpu("v100_32g_pcie")).toMatchObject({ memoryGb: 32, bf16Tflops: 112, pcieOnly: true });
    expect(findGpu("MI300X")).toMatchObject({ memoryGb: 192, bf16Tflops: 1307.4, pcieOnly: false });
    expect(findGpu("H20").linkGBpsPerDirection).toBe(450);
    expect(findGpu("M3-Ultra").memBwGBps).toBe(819);
  });
});
