// Owns `servebench simulate`: the simulator as a standalone HTTP server until SIGINT/SIGTERM.

import { parseNonNegativeInt, parsePositiveInt, parsePositiveNumber } from "../config/units.js";
import { startSimulator } from "../sim/index.js";
import { loadTokenizer } from "../workload/tokenizer.js";
import { EXIT } from "./exit-codes.js";

type Raw = Record<string, string | boolean | undefined>;

function num(raw: Raw, key: string, flag: string, allowZero = true): number {
  const value = String(raw[key]);
  return allowZero && value.trim() === "0" ? 0 : parsePositiveNumber(value, flag);
}

export async function simulateCommand(raw: Raw): Promise<number> {
  const port = parseNonNegativeInt(String(raw.port), "--port");
  const tokenizer = await loadTokenizer(typeof raw.tokenizer === "string" ? raw.tokenizer : undefined);
  const sim = await startSimulator({
    host: String(raw.host),
    port,
    model: String(raw.model),
    maxModelLen: parsePositiveInt(String(raw.maxModelLen), "--max-model-len"),
    ttftMs: num(raw, "ttftMs", "--ttft-ms"),
    perTokenMs: num(raw, "perTokenMs", "--per-token-ms", false),
    batchSlowdown: num(raw, "batchSlowdown", "--batch-slowdown"),
    promptTokenCounter: (text: string) => tokenizer.count(text),
    ...(typeof raw.trace === "string" ? { trace: raw.trace } : {}),
  });
  if (raw.printUrl === true) process.stdout.write(`${sim.url}\n`);
  else process.stderr.write(`servebench simulator listening on ${sim.url} (model ${String(raw.model)})\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await sim.close();
  return EXIT.ok;
}
