// Owns finding out which GPUs the machine has, for env.json: nvidia-smi, else rocm-smi, or the
// user's own --gpu-info-cmd. A missing tool is a fact to record, never an error.

import { failureOf, runTimedCommand } from "../plan/timed-command.js";

export interface GpuDevice {
  name: string | null;
  driver_version: string | null;
  memory_total_mib: number | null;
  /** nvidia-smi's mig.mode.current: "Enabled", "Disabled" or "[N/A]". */
  mig_mode?: string;
}

export type GpuInfo =
  | { source: "absent"; tried: string[] }
  | { source: "nvidia-smi" | "rocm-smi"; devices: GpuDevice[]; raw: string; error?: string }
  | { source: "gpu-info-cmd"; command: string; raw: string; error?: string };

const NVIDIA_ARGS = ["--query-gpu=name,driver_version,memory.total,mig.mode.current", "--format=csv,noheader"];
const ROCM_ARGS = ["--showproductname", "--showdriverversion", "--showmeminfo", "vram", "--json"];

interface RunResult {
  stdout: string;
  /** Why it failed (timed out, exit code, could not start); absent on success. */
  error?: string;
  missing: boolean;
}

/** Runs argv in a process group of its own (killed whole at the deadline): nothing it starts outlives it. */
async function run(argv: readonly string[], timeoutMs: number): Promise<RunResult> {
  const r = await runTimedCommand(argv, { timeoutMs, maxOutputBytes: 1024 * 1024, processGroup: true });
  const error = failureOf(r, timeoutMs);
  return { stdout: r.stdout, missing: r.startError?.includes("ENOENT") === true, ...(error === undefined ? {} : { error }) };
}

/**
 * Runs `gpuInfoCmd` through the shell when given (the user typed it), else tries the vendor tools.
 * @example await captureGpuInfo({ timeoutMs: 5000 }) // { source: "absent", tried: [...] } here
 */
export async function captureGpuInfo(options: { gpuInfoCmd?: string; timeoutMs?: number } = {}): Promise<GpuInfo> {
  const timeoutMs = options.timeoutMs ?? 5000;
  if (options.gpuInfoCmd !== undefined) {
    const command = options.gpuInfoCmd;
    const r = await run(["/bin/sh", "-c", command], timeoutMs);
    return { source: "gpu-info-cmd", command, raw: r.stdout.trim(), ...(r.error === undefined ? {} : { error: r.error }) };
  }
  const nvidia = await run(["nvidia-smi", ...NVIDIA_ARGS], timeoutMs);
  if (!nvidia.missing) {
    const error = nvidia.error;
    const devices = error === undefined ? parseNvidiaSmi(nvidia.stdout) : [];
    return { source: "nvidia-smi", devices, raw: nvidia.stdout.trim(), ...(error === undefined ? {} : { error }) };
  }
  const rocm = await run(["rocm-smi", ...ROCM_ARGS], timeoutMs);
  if (!rocm.missing) {
    const error = rocm.error;
    return { source: "rocm-smi", devices: parseRocmSmi(rocm.stdout), raw: rocm.stdout.trim(), ...(error === undefined ? {} : { error }) };
  }
  return { source: "absent", tried: ["nvidia-smi", "rocm-smi"] };
}

/** `NVIDIA H100 80GB HBM3, 550.54.15, 81559 MiB, Disabled` per line. */
export function parseNvidiaSmi(stdout: string): GpuDevice[] {
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map((line) => {
      const [name, driver, memory, mig] = line.split(",").map((f) => f.trim());
      const mib = /^(\d+(?:\.\d+)?)\s*MiB$/i.exec(memory ?? "");
      const device: GpuDevice = {
        name: name ?? null,
        driver_version: driver ?? null,
        memory_total_mib: mib?.[1] === undefined ? null : Number(mib[1]),
      };
      if (mig !== undefined) device.mig_mode = mig;
      return device;
    });
}

/** rocm-smi --json: `{ "card0": { "Card Series": …, "VRAM Total Memory (B)": … }, "system": { "Driver version": … } }`. */
export function parseRocmSmi(stdout: string): GpuDevice[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return [];
  }
  if (typeof parsed !== "object" || parsed === null) return [];
  const entries = Object.entries(parsed as Record<string, Record<string, unknown>>);
  const system = (parsed as Record<string, Record<string, unknown> | undefined>)["system"];
  const driver = typeof system?.["Driver version"] === "string" ? system["Driver version"] : null;
  return entries
    .filter(([key]) => key.startsWith("card"))
    .map(([, card]) => {
      const name = card["Card Series"] ?? card["Card series"] ?? card["Card Model"] ?? card["Card model"];
      const bytes = Number(card["VRAM Total Memory (B)"]);
      return {
        name: typeof name === "string" ? name : null,
        driver_version: driver,
        memory_total_mib: Number.isFinite(bytes) && bytes > 0 ? Math.round(bytes / 1048576) : null,
      };
    });
}
