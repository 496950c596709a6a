// An https target goes through undici (plain http through our own pool): one vLLM chat stream
// over TLS on loopback, read by the built client in a child process that trusts a certificate
// made for this test (NODE_EXTRA_CA_CERTS is read only at process start).

import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const CLIENT = fileURLToPath(new URL("../../dist/client/http-client.js", import.meta.url));
const FIXTURE = fileURLToPath(new URL("../../test/fixtures/wire/vllm-chat-usage.sse.txt", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "sb-https-"));
const openssl = spawnSync("openssl", ["version"]);
const skip = openssl.status !== 0;
if (skip) console.warn("https target test SKIPPED: no openssl to make a certificate");

let server: Server | undefined;
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("StreamingClient over https", () => {
  it.skipIf(skip)("streams a chat completion over TLS and records its tokens and usage", async () => {
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      {
        stdio: "ignore",
      },
    );
    const sse = readFileSync(FIXTURE);
    const paths: string[] = [];
    server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      paths.push(`${req.method ?? ""} ${req.url ?? ""}`);
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "text/event-stream" }).end(sse));
    });
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const script = `
      const { StreamingClient } = await import(${JSON.stringify(CLIENT)});
      const client = new StreamingClient({ baseUrl: ${JSON.stringify(url)}, endpoint: "chat", model: "m", timeoutMs: 10000, maxConnections: 2, ignoreEos: false, exactOutput: false });
      const spec = { index: 0, messages: [{ role: "user", content: "hi" }], inputTokens: 1, targetOutputTokens: 8 };
      const { record } = await client.send(spec, { id: "0-0", level: 0, warmup: false, scheduledMs: 0, originMs: performance.now() });
      await client.close();
      console.log(JSON.stringify(record));`;
    // Not spawnSync: the server answers on this process's event loop.
    const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = execFile(
        process.execPath,
        ["--input-type=module", "-e", script],
        { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert }, timeout: 30_000 },
        (error, stdout, stderr) => resolve({ status: error === null ? 0 : (p.exitCode ?? 1), stdout, stderr }),
      );
    });
    expect(child.status, child.stderr).toBe(0);
    const record = JSON.parse(child.stdout) as { outcome: string; tokenChunkMs: number[]; usage?: { completionTokens: number } };
    expect(record.outcome).toBe("ok");
    expect(record.tokenChunkMs.length).toBeGreaterThan(0);
    expect(record.usage?.completionTokens).toBeGreaterThan(0);
    expect(paths).toEqual(["POST /v1/chat/completions"]);
  });
});
