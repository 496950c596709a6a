// env.json on this machine: versions, redaction, target facts, GPU tools recorded as absent.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureEnvironment, isoWithOffset, parseModels, redactSecrets, serverIdentity } from "./environment.js";
import { captureGpuInfo, parseNvidiaSmi } from "./gpu-info.js";
import { readPower } from "./power.js";

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/version") return void res.end('{"version":"0.30.0"}');
    if (req.url === "/v1/models") return void res.end('{"object":"list","data":[{"id":"Qwen/Qwen3-8B","max_model_len":40960}]}');
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A process that exists and is not a zombie (a killed orphan may wait for a reaper that never comes). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const hasTool = (t: string): boolean => spawnSync("sh", ["-c", `command -v ${t}`]).status === 0;

describe("captureEnvironment", () => {
  it("records this machine, the package, the target and absent GPU tools", async () => {
    const env = await captureEnvironment({
      config: { url: baseUrl, apiKey: "sk-secret", maxTokens: 128, headers: { Authorization: "Bearer x" } },
      baseUrl,
      serverCmd: "vllm serve Qwen/Qwen3-8B",
    });
    expect(env.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(env.servebench_version).toBe("0.1.0");
    if (spawnSync("git", ["rev-parse", "HEAD"]).status === 0) expect(env.git_commit).toMatch(/^[0-9a-f]{40}/);
    expect(env.node_version).toBe(process.version);
    expect(env.cpu.count).toBeGreaterThan(0);
    expect(env.memory_total_bytes).toBeGreaterThan(0);
    expect(env.config).toEqual({
      url: baseUrl,
      apiKey: "[redacted]",
      maxTokens: 128,
      headers: { Authorization: "[redacted]" },
    });
    expect(env.server_cmd).toBe("vllm serve Qwen/Qwen3-8B");
    expect(env.target).toEqual({
      base_url: baseUrl,
      version: { version: "0.30.0" },
      server_version: "0.30.0",
      models: [{ id: "Qwen/Qwen3-8B", max_model_len: 40960 }],
    });
    if (!hasTool("nvidia-smi") && !hasTool("rocm-smi")) {
      expect(env.gpu).toEqual({ source: "absent", tried: ["nvidia-smi", "rocm-smi"] });
    }
  });

  it("records an unreachable target without failing", async () => {
    const env = await captureEnvironment({ config: {}, baseUrl: "http://127.0.0.1:9", timeoutMs: 500 });
    expect(env.target?.models).toBeNull();
    expect(env.target?.models_error).toBeTruthy();
  });

  it("runs a user's gpuInfoCmd through the shell, time-limited", async () => {
    await expect(captureGpuInfo({ gpuInfoCmd: "echo 'GPU 0: H100' && echo ok" })).resolves.toEqual({
      source: "gpu-info-cmd",
      command: "echo 'GPU 0: H100' && echo ok",
      raw: "GPU 0: H100\nok",
    });
    const slow = await captureGpuInfo({ gpuInfoCmd: "sleep 5", timeoutMs: 100 });
    expect(slow).toMatchObject({ source: "gpu-info-cmd", error: "timed out after 100 ms" });
  });

  it("kills everything a timed-out gpuInfoCmd or power command started, not just its shell", async () => {
    // The shell prints the pid of a background child, then waits for it: at the deadline both must die.
    const gpu = await captureGpuInfo({ gpuInfoCmd: "sleep 30 & echo $!; wait", timeoutMs: 500 });
    expect(gpu).toMatchObject({ source: "gpu-info-cmd", error: "timed out after 500 ms" });
    const pidFile = join(mkdtempSync(join(tmpdir(), "sb-power-")), "pid");
    const power = readPower({ kind: "cmd", command: `sleep 30 & echo $! > ${pidFile}; wait` }, 500);
    await expect(power).rejects.toThrow(/timed out after 500 ms/);
    const pids = [Number(gpu.source === "gpu-info-cmd" ? gpu.raw : Number.NaN), Number(readFileSync(pidFile, "utf8").trim())];
    expect(pids.every((pid) => Number.isInteger(pid) && pid > 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids) expect(running(pid)).toBe(false);
  });
});

describe("helpers", () => {
  it("redacts secret-looking keys at any depth and keeps token counts", () => {
    expect(redactSecrets({ api_key: "a", nested: [{ hfToken: "b", token: "c" }], "x-api-key": "d", tokenizer: "t", max_tokens: 3 })).toEqual({
      api_key: "[redacted]",
      nested: [{ hfToken: "[redacted]", token: "[redacted]" }],
      "x-api-key": "[redacted]",
      tokenizer: "t",
      max_tokens: 3,
    });
  });

  it("formats local time with its offset", () => {
    const d = new Date(2025, 11, 18, 1, 19, 29, 120);
    const iso = isoWithOffset(d);
    expect(iso.startsWith("2025-12-18T01:19:29.120")).toBe(true);
    expect(new Date(iso).getTime()).toBe(d.getTime());
  });

  it("parses nvidia-smi CSV and model lists", () => {
    expect(parseNvidiaSmi("NVIDIA H100 80GB HBM3, 550.54.15, 81559 MiB, Disabled\n")).toEqual([
      { name: "NVIDIA H100 80GB HBM3", driver_version: "550.54.15", memory_total_mib: 81559, mig_mode: "Disabled" },
    ]);
    expect(parseModels({ data: [{ id: "gguf", meta: { n_ctx: 8192 } }, { id: "tgi" }] })).toEqual([
      { id: "gguf", max_model_len: 8192 },
      { id: "tgi", max_model_len: null },
    ]);
  });
});

describe("serverIdentity", () => {
  it("names the server from /version, llama.cpp's /props build_info, or TGI's /info", () => {
    expect(serverIdentity({ version: "0.11.0" }, undefined, undefined)).toEqual({ body: { version: "0.11.0" }, line: "0.11.0" });
    const props = { build_info: "b10587-3f545becc", model_path: "tiny.gguf", total_slots: 8, chat_template: "{% for m in messages %}…" };
    expect(serverIdentity(undefined, props, undefined)).toEqual({
      body: { build_info: "b10587-3f545becc", model_path: "tiny.gguf", total_slots: 8 },
      line: "llama.cpp b10587-3f545becc",
    });
    expect(
      serverIdentity(undefined, undefined, { version: "3.3.6", sha: "db93", model_id: "meta-llama/Llama-3.1-8B-Instruct", max_total_tokens: 8192 })?.line,
    ).toBe("tgi 3.3.6");
    expect(serverIdentity(undefined, { total_slots: 1 }, undefined)).toBeUndefined();
    expect(serverIdentity(undefined, undefined, undefined, { version: "0.5.4", tp_size: 2 })).toEqual({ body: { version: "0.5.4" }, line: "sglang 0.5.4" });
  });
});
