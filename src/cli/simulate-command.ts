// Owns `servebench simulate`: the simulator as a standalone HTTP server until SIGINT/SIGTERM, with
// hardware presets, a dialect, a load time and faults (each logged on stderr and counted at exit).

import { simChatTemplate, simServerTokenizer } from "../run/target.js";
import { parseDurationMs, parseNonNegativeInt, parsePositiveNumber } from "../config/units.js";
import { BenchError } from "../errors.js";
import { describePreset, resolveSimulatorOptions, startSimulator } from "../sim/index.js";
import type { DialectName, FaultEvent, SimulatorOptions } from "../sim/index.js";
import { loadTokenizer } from "../workload/tokenizer.js";
import { EXIT } from "./exit-codes.js";
import { printListings, simOptionsFromFlags } from "./sim-flags.js";
import { onStopSignal } from "./stop-signals.js";

type Raw = Record<string, string | boolean | undefined>;

function num(raw: Raw, key: string, flag: string, allowZero = true): number {
  const value = String(raw[key]);
  return allowZero && value.trim() === "0" ? 0 : parsePositiveNumber(value, flag);
}

function probability(value: string, flag: string): number {
  const n = value.trim() === "0" ? 0 : parsePositiveNumber(value, flag);
  if (n > 1) throw new BenchError("E_BAD_FLAG", `${flag}: "${value}" is not a probability in [0, 1]`, { where: flag });
  return n;
}

export async function simulateCommand(raw: Raw): Promise<number> {
  if (printListings(raw, (s) => process.stdout.write(s))) return EXIT.ok;
  const port = parseNonNegativeInt(String(raw.port), "--port");
  const catalogModel = typeof raw.model === "string" ? raw.model : undefined;
  const options: SimulatorOptions = simOptionsFromFlags(raw, catalogModel);
  const tokenizer = await loadTokenizer(typeof raw.tokenizer === "string" ? raw.tokenizer : undefined);
  let crashed = false;
  const onFault = (e: FaultEvent): void => {
    process.stderr.write(`servebench simulator: fault ${e.kind}${e.requestId === undefined ? "" : ` on ${e.requestId}`}\n`);
  };
  const full: SimulatorOptions = {
    ...options,
    host: String(raw.host),
    port,
    model: catalogModel ?? "sim-model",
    ttftMs: num(raw, "ttftMs", "--ttft-ms"),
    perTokenMs: num(raw, "perTokenMs", "--per-token-ms", false),
    batchSlowdown: num(raw, "batchSlowdown", "--batch-slowdown"),
    // The server counts (and hashes, for prefix caching) prompts with the model's tokenizer.
    promptTokenCounter: (text: string) => tokenizer.count(text) + tokenizer.specialTokensAdded,
    promptTokenizer: (text: string) => tokenizer.encode(text),
    // Chat prompts counted with the model's template, /tokenize and /apply-template answered with it.
    ...simChatTemplate(tokenizer),
    ...simServerTokenizer(tokenizer),
    dialect: String(raw.dialect ?? "vllm") as DialectName,
    onFault,
    onCrash: () => {
      crashed = true;
      process.stderr.write("servebench simulator: crash-after reached: exiting like a crashed server\n");
      process.kill(process.pid, "SIGTERM");
    },
    ...(typeof raw.trace === "string" ? { trace: raw.trace } : {}),
    ...(typeof raw.loadTime === "string" ? { loadTimeMs: parseDurationMs(raw.loadTime, "--load-time") } : {}),
    ...(typeof raw.faults === "string" ? { faults: raw.faults } : {}),
    ...(typeof raw.eosProbability === "string" ? { eosProbability: probability(raw.eosProbability, "--eos-probability") } : {}),
    ...(typeof raw.seed === "string" ? { seed: parseNonNegativeInt(raw.seed, "--seed") } : {}),
    ...(typeof raw.reasoningTokens === "string" ? { reasoningTokens: parseNonNegativeInt(raw.reasoningTokens, "--reasoning-tokens") } : {}),
  };
  const preset = full.preset === undefined ? undefined : resolveSimulatorOptions({ ...full, port: 0 }).preset;
  const sim = await startSimulator(full);
  if (raw.printUrl === true) process.stdout.write(`${sim.url}\n`);
  else {
    const what = preset === undefined ? `model ${full.model ?? "sim-model"}, simple timing` : describePreset(preset);
    process.stderr.write(`servebench simulator (${String(full.dialect)}) listening on ${sim.url}: ${what}\n`);
  }
  await new Promise<void>((resolve) => {
    const off = onStopSignal(() => {
      off();
      resolve();
    });
  });
  const stats = sim.stats();
  await sim.close();
  const injected = Object.entries(stats.faults).filter(([, n]) => n > 0);
  if (injected.length > 0) process.stderr.write(`servebench simulator: faults injected: ${injected.map(([k, n]) => `${k}=${n}`).join(", ")}\n`);
  return crashed ? EXIT.crash : EXIT.ok;
}
