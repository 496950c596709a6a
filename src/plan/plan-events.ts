// Owns the types a plan run reports through and shares between its runner and its cells: the
// events a caller sees, a cell's outcome, and a server kept running across cells. Types only,
// so run-plan.ts and run-cell.ts both depend on it instead of on each other.

import type { ProgressEvent } from "../run/progress.js";
import type { PlannedCell } from "./cell-config.js";
import type { RunningServer } from "./launchers/index.js";

export interface CellOutcome {
  status: "complete" | "failed" | "interrupted";
  reason?: string;
  strictFailed?: boolean;
}

export type PlanEvent =
  | { kind: "info"; message: string }
  /** Shown even with --quiet: something in the results directory was not trusted. */
  | { kind: "warning"; message: string }
  | { kind: "cell-start"; cell: PlannedCell; position: number; total: number }
  | { kind: "cell-skip"; cell: PlannedCell }
  | { kind: "cell-end"; cell: PlannedCell; outcome: CellOutcome; durationMs: number }
  | { kind: "run"; cell: PlannedCell; event: ProgressEvent };

export interface ActiveServer {
  key: string;
  name: string;
  server: RunningServer;
  cellsServed: number;
  dead: boolean;
}
