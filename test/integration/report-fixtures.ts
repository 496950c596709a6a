// Shared set-up for the report integration tests: fixture paths and a run directory full of
// hostile strings (model name, error code and message, cell dimension, directory name).

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticRun } from "../../bench/report-synth.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/report/", import.meta.url));
export const PLAN = join(FIXTURES, "plan");
export const SWEEP = join(FIXTURES, "sweep");
export const EXTERNAL_CSV = join(FIXTURES, "external.csv");
export const GOLDEN = join(FIXTURES, "golden");

/** Each payload sets window.__xss if it ever runs. */
export const HOSTILE = {
  model: "<script>window.__xss='model'</script>",
  message: "</td><script>window.__xss='message'</script><img src=x onerror=\"window.__xss='img'\">",
  code: "<b onmouseover=window.__xss=1>http_500</b>",
  dimension: "<svg onload=\"window.__xss='dim'\">",
  dirName: "evil-<img src=x onerror=window.__xss=1>",
};

export function hostileRun(): string {
  const root = mkdtempSync(join(tmpdir(), "sb-hostile-"));
  const dir = join(root, HOSTILE.dirName);
  writeSyntheticRun({
    dir,
    concurrency: [2, 4],
    requests: "3x",
    inputTokens: 64,
    outputTokens: 8,
    seed: 3,
    model: HOSTILE.model,
    errorEvery: 5,
    errorCode: HOSTILE.code,
    errorMessage: HOSTILE.message,
    cell: { id: "evil", dimensions: { engine: HOSTILE.dimension } },
  });
  return dir;
}

/**
 * Seed 003's matrix, synthesised: preset × model × ctx × parallel (32 cells, 20 requests each at
 * c=10) with include-added gpus/tp/pp/gpu, as `servebench plan run` lays it out (plan.json,
 * plan.source.yaml, cells/<id>/cell.json). Throughput differs by preset, model and split.
 */
export function seed003Plan(): string {
  const root = mkdtempSync(join(tmpdir(), "sb-seed003-"));
  const presets: Array<[string, number, string, number]> = [
    ["H100X1", 1, "H100-PCIE", 12],
    ["H100X2", 2, "H100-PCIE", 14],
    ["mi210x1", 1, "MI210", 13],
    ["mi210x2", 2, "MI210", 16],
  ];
  const models: Array<[string, number]> = [
    ["deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", 1],
    ["meta-llama/Llama-3.2-3B-Instruct", 1.25],
  ];
  const source = [
    "name: seed-003-matrix",
    "matrix:",
    "  dimensions:",
    "    preset: [H100X1, H100X2, mi210x1, mi210x2]",
    "    model: [deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B, meta-llama/Llama-3.2-3B-Instruct]",
    "    ctx: [2048, 8192]",
    "    parallel: [tp, pp]",
    "",
  ];
  writeFileSync(join(root, "plan.source.yaml"), source.join("\n"));
  writeFileSync(
    join(root, "plan.json"),
    `${JSON.stringify({ schema: "servebench.plan/v1", name: "seed-003-matrix", source_file: "plan.source.yaml" }, null, 2)}\n`,
  );
  let index = 0;
  for (const [preset, gpus, gpu, tpot] of presets)
    for (const [model, scale] of models)
      for (const ctx of ["2048", "8192"])
        for (const parallel of ["tp", "pp"]) {
          const id = `${preset}_${model.replace(/\//g, "-")}_${ctx}_${parallel}`;
          const split = gpus === 2 && parallel === "pp" ? 1.12 : 1;
          writeSyntheticRun({
            dir: join(root, "cells", id),
            concurrency: [10],
            requests: 20,
            inputTokens: 12,
            outputTokens: 32,
            tpotMs: tpot * scale * split * (ctx === "8192" ? 1.02 : 1),
            ttftMs: 25,
            seed: 100 + index,
            model,
            telemetry: false,
            ...(preset === "H100X2" && ctx === "8192" && parallel === "pp"
              ? { errorEvery: 9, errorCode: "http_503", errorMessage: "Service Unavailable" }
              : {}),
            cell: {
              id,
              index,
              dimensions: {
                server: "vllm",
                preset,
                model,
                ctx,
                parallel,
                workload: "fixed-prompt",
                load: "c10",
                gpus: String(gpus),
                tp: parallel === "tp" ? String(gpus) : "1",
                pp: parallel === "pp" ? String(gpus) : "1",
                gpu,
              },
            },
          });
          index++;
        }
  return root;
}
