// Public surface of experiment plans (re-exports only).

export { loadPlanFile, loadPlanFromOut, loadPlanText, type LoadedPlan } from "./load-plan.js";
export { runPlan, type PlanEvent, type PlanRunResult, type RunPlanOptions } from "./run-plan.js";
export { planJsonSchema, type PlanFile, type ServerSpec } from "./plan-schema.js";
export { PlanError, formatIssue, type PlanIssue } from "./issues.js";
export type { PlannedCell } from "./cell-config.js";
export type { CellRecord } from "./plan-out.js";
export { kubernetesCommands } from "./launchers/kubernetes.js";
export type { CommandRunner, CommandResult } from "./launchers/index.js";
