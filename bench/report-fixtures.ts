// Regenerates the checked-in report fixtures under test/fixtures/report/ (small, deterministic).
// Run: npx vite-node bench/report-fixtures.ts, then refresh the goldens: UPDATE_GOLDEN=1 npx vitest run test/integration/report

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { writeSyntheticRun } from "./report-synth.js";

const root = fileURLToPath(new URL("../test/fixtures/report/", import.meta.url));
for (const name of ["plan", "sweep"]) rmSync(join(root, name), { recursive: true, force: true });

// A plan: GPU preset × parallelism, two loads each (seed 003's pipeline vs tensor table).
const cells: Array<[string, string, string, number]> = [
  ["h100x1-pp", "H100X1", "pp", 21],
  ["h100x1-tp", "H100X1", "tp", 20.5],
  ["h100x2-pp", "H100X2", "pp", 18],
  ["h100x2-tp", "H100X2", "tp", 15],
];
mkdirSync(join(root, "plan", "cells"), { recursive: true });
writeFileSync(join(root, "plan", "plan.json"), `${JSON.stringify({ matrix: { gpu: ["H100X1", "H100X2"], parallel: ["pp", "tp"] } }, null, 2)}\n`);
writeFileSync(join(root, "plan", "cells.csv"), `id,gpu,parallel\n${cells.map(([id, gpu, p]) => `${id},${gpu},${p}`).join("\n")}\n`);
cells.forEach(([id, gpu, parallel, tpotMs], i) => {
  writeSyntheticRun({
    dir: join(root, "plan", "cells", id),
    concurrency: [1, 4],
    requests: "4x",
    inputTokens: 128,
    outputTokens: 12,
    tpotMs,
    ttftMs: 40,
    seed: 10 + i,
    model: "meta-llama/Llama-3.2-3B-Instruct",
    gpu: gpu === "H100X1" ? "NVIDIA H100 PCIe" : "NVIDIA H100 PCIe",
    cell: { id, dimensions: { gpu, model: "Llama-3.2-3B-Instruct", parallel } },
    telemetry: false,
    ...(id === "h100x2-pp" ? { errorEvery: 7, errorCode: "http_503", errorMessage: "Service Unavailable: KV cache exhausted" } : {}),
  });
});

// One sweep past its knee, with an SLO and a prefix cache that flatters the result.
writeSyntheticRun({
  dir: join(root, "sweep"),
  concurrency: [1, 8, 32, 64],
  requests: "2x",
  inputTokens: 256,
  outputTokens: 12,
  tpotMs: 12,
  ttftMs: 50,
  maxBatch: 24,
  seed: 7,
  model: "Qwen/Qwen3-32B-FP8",
  slo: "ttft_ms<=300,tpot_ms<=25",
  prefixHitRate: 0.8,
  gpu: "NVIDIA RTX PRO 6000",
});
console.log(`fixtures written under ${root}`);
