// Owns saying a run's verdict on stderr and mapping it to the exit code (README "Exit codes"),
// for every command that judges a run: run, run --distributed, k8s run.

import type { RunVerdict } from "../run/run-verdict.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

/** Says on stderr what the exit code means, and returns it (README "Exit codes"). */
export function reportVerdict(verdict: RunVerdict, write: (s: string) => void = (s) => process.stderr.write(s)): ExitCode {
  const code = exitCodeOf(verdict);
  const reasons = verdict.reasons.map((r) => `  ${r}\n`).join("");
  switch (verdict.status) {
    case "target_failed":
      write(`servebench: the target is failing (exit ${code}):\n${reasons}`);
      break;
    case "strict_mismatch":
      write(`servebench: --strict: some requests did not have the exact token counts (see summary.md) (exit ${code}):\n${reasons}`);
      break;
    case "slo_not_met":
      write(`servebench: SLO not met (exit ${code}):\n${reasons}`);
      break;
    case "partial":
      write(`servebench: some requests failed; no threshold was crossed, so exit 0 (--max-error-rate makes errors fail the run):\n${reasons}`);
      break;
    default:
      break;
  }
  return code;
}

export function exitCodeOf(verdict: RunVerdict): ExitCode {
  switch (verdict.status) {
    case "interrupted":
      return EXIT.interrupted;
    case "target_failed":
      return EXIT.targetFailed;
    case "strict_mismatch":
      return EXIT.strictMismatch;
    case "slo_not_met":
      return EXIT.sloNotMet;
    default:
      return EXIT.ok;
  }
}
