// Owns `servebench run`: flags → runBenchmark (or the simulator catalog listings), progress on stderr,
// the table on stdout, Ctrl-C → stop cleanly with what finished written, exit code by outcome.

import { prepareResume, type ResumeOverrides } from "../run/resume.js";
import { runBenchmark } from "../run/run-benchmark.js";
import { BenchError } from "../errors.js";
import { renderConsoleTable } from "../report/console.js";
import type { RunVerdict } from "../run/run-verdict.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { createProgressRenderer } from "./progress-renderer.js";
import { runConfigFromFlags } from "./run-flags.js";
import { distributedCommand } from "./distributed-command.js";
import { reportVerdict } from "./verdict-report.js";
import { printListings } from "./sim-flags.js";
import type { RunConfigInput } from "../config/run-config.js";
import { readDistributedRecord } from "../scale/local-distributed.js";
import { onStopSignal } from "./stop-signals.js";

/**
 * A resumed shard runs with a new start instant and barrier directory (run --distributed --resume
 * passes them, and --url for its new simulator, a resume override).
 */
function withShardTiming(config: RunConfigInput, opts: Record<string, string | boolean | undefined>): RunConfigInput {
  const out: RunConfigInput = { ...config };
  if (typeof opts.startAt === "string") out.startAtEpochMs = Number(opts.startAt);
  if (typeof opts.barrierDir === "string") out.barrierDir = opts.barrierDir;
  return out;
}

/** `--api-key-env NAME` is a promise that NAME holds the key: an unset NAME is a mistake, not "no key". */
export function checkApiKeyEnv(name: string | boolean | undefined, env: Readonly<Record<string, string | undefined>>): void {
  if (typeof name !== "string" || (env[name] ?? "") !== "") return;
  throw new BenchError(
    "E_BAD_FLAG",
    `--api-key-env ${name}: the environment variable ${name} is not set (export it, or drop --api-key-env to read OPENAI_API_KEY when set)`,
    { where: "--api-key-env" },
  );
}

function resumeOverrides(opts: Record<string, string | boolean | undefined>): ResumeOverrides {
  const o: ResumeOverrides = {};
  if (typeof opts.url === "string") o.url = opts.url;
  if (typeof opts.metricsUrl === "string") o.metricsUrl = opts.metricsUrl;
  if (typeof opts.gpuInfoCmd === "string") o.gpuInfoCmd = opts.gpuInfoCmd;
  return o;
}

export async function runCommand(opts: Record<string, string | boolean | undefined>): Promise<number> {
  if (printListings(opts, (s) => process.stdout.write(s))) return EXIT.ok;
  checkApiKeyEnv(opts.apiKeyEnv, process.env);
  if (typeof opts.distributed === "string") return distributedCommand(opts);
  // A --distributed run directory resumes as one: its shards are resumed together.
  if (typeof opts.resume === "string" && readDistributedRecord(opts.resume) !== undefined) return distributedCommand(opts);
  const resume = typeof opts.resume === "string" ? prepareResume(opts.resume, resumeOverrides(opts)) : undefined;
  for (const w of resume?.warnings ?? []) process.stderr.write(`servebench: warning: ${w}\n`);
  const input = resume === undefined ? runConfigFromFlags(opts) : withShardTiming(resume.config, opts);
  const controller = new AbortController();
  let interrupts = 0;
  let measuring = false;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        measuring
          ? "\nservebench: stopping: writing what finished (press Ctrl-C again to quit now)\n"
          : "\nservebench: stopping start-up (no request was sent)\n",
      );
      controller.abort();
      // Start-up steps end on the abort at once; should one not (a synchronous load), do not wait for it.
      if (!measuring) setTimeout(() => process.exit(EXIT.interrupted), 2000).unref();
    } else {
      process.exit(EXIT.interrupted);
    }
  };
  const offSignal = onStopSignal(onSignal);
  try {
    const render = createProgressRenderer(process.stderr, opts.quiet === true);
    const progress: typeof render = (event) => {
      if (event.kind === "level-start") measuring = true;
      render(event);
    };
    const result = await runBenchmark(input, { onProgress: progress, signal: controller.signal, ...(resume ? { resume } : {}) });
    if (result.discarded === true) {
      process.stderr.write(`servebench: interrupted before the first request; nothing was kept (${result.dir} removed)\n`);
      return EXIT.interrupted;
    }
    process.stdout.write(renderConsoleTable(result.summary));
    for (const l of result.summary.run.scale?.worker_stats ?? []) {
      const busy = l.workers.map((w) => w.busy.toFixed(2)).join(", ");
      process.stdout.write(`level ${l.level}: ${l.workers.length} workers, busy (CPU / wall) ${busy}; coordinator ${l.coordinator.busy.toFixed(2)}\n`);
    }
    process.stdout.write(`results: ${result.dir}\n`);
    if (result.interrupted) {
      process.stderr.write(`servebench: interrupted; continue with: servebench run --resume ${result.dir}\n`);
      return EXIT.interrupted;
    }
    return reportVerdict(result.verdict);
  } finally {
    offSignal();
  }
}
