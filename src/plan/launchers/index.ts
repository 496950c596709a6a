// Owns choosing the launcher for a server spec by its `kind`.

import type { ServerSpec } from "../plan-schema.js";
import { existingLauncher } from "./existing.js";
import { kubernetesLauncher } from "./kubernetes.js";
import type { LaunchContext, RunningServer } from "./launcher.js";
import { localLauncher } from "./local.js";

export function launchServer(spec: ServerSpec, ctx: LaunchContext): Promise<RunningServer> {
  switch (spec.kind) {
    case "local":
      return localLauncher.start(spec, ctx);
    case "existing":
      return existingLauncher.start(spec, ctx);
    case "kubernetes":
      return kubernetesLauncher.start(spec, ctx);
  }
}

export { LaunchError, type LaunchContext, type RunningServer } from "./launcher.js";
export { systemRunner, type CommandRunner, type CommandResult } from "./command-runner.js";
