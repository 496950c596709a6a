// Shared set-up for the report integration tests: fixture paths and a run directory full of
// hostile strings (model name, error code and message, cell dimension, directory name).

import { mkdtempSync } from "node:fs";
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
