// Public API of the embedded simulated vLLM server (re-exports only).

export { startSimulator, SIM_VERSION } from "./server.js";
export type { RunningSimulator, SimStats } from "./server.js";
export { DEFAULT_SIM_MODEL, resolveSimulatorOptions } from "./options.js";
export type { ResolvedSimulatorOptions, SimulatorOptions } from "./options.js";
export { simpleTiming } from "./timing.js";
export type { SimpleTimingOptions, StepContext, TimingModel, TtftContext } from "./timing.js";
export { manualSchedulerClock, realSchedulerClock, simNowMs } from "./scheduler-clock.js";
export type { ManualSchedulerClock, SchedulerClock } from "./scheduler-clock.js";
export type { TraceLine } from "./trace-writer.js";
