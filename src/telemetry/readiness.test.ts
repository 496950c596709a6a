// waitReady against real servers: loading (503) then ready, never ready, refused, no /health.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { waitReady, type ReadinessProgress } from "./readiness.js";

const servers: Server[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const loading = '{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}';

describe("waitReady", () => {
  it("waits through 503s on /health, then needs /v1/models", async () => {
    let healthCalls = 0;
    let modelsCalls = 0;
    const base = await serve((req, res) => {
      if (req.url === "/health") {
        healthCalls += 1;
        res.statusCode = healthCalls <= 2 ? 503 : 200;
        return void res.end(healthCalls <= 2 ? loading : "{}");
      }
      modelsCalls += 1;
      res.statusCode = modelsCalls === 1 ? 503 : 200;
      res.end('{"data":[]}');
    });
    const progress: ReadinessProgress[] = [];
    const result = await waitReady(base, {
      timeoutMs: 3000,
      initialIntervalMs: 5,
      onProgress: (p) => progress.push(p),
    });
    expect(result.attempts).toBe(5);
    expect(result.readyAfterMs).toBeGreaterThan(0);
    expect(progress.map((p) => p.stage)).toEqual(["health", "health", "models"]);
    expect(progress[0]?.lastError).toContain("GET /health → 503");
    expect(progress[0]?.lastError).toContain("Loading model");
  });

  it("throws E_UNREACHABLE naming the last error at the deadline", async () => {
    const base = await serve((_req, res) => {
      res.statusCode = 503;
      res.end(loading);
    });
    const err = await waitReady(base, { timeoutMs: 300, initialIntervalMs: 20 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "E_UNREACHABLE" });
    expect((err as Error).message).toMatch(/not ready after 0\.\d s .*last error: GET \/health → 503 .*Loading model/);
  });

  it("reports a refused connection", async () => {
    const base = await serve(() => undefined);
    const dead = servers.pop() as Server;
    await new Promise((r) => dead.close(r));
    const err = await waitReady(base, { timeoutMs: 200, initialIntervalMs: 20 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "E_UNREACHABLE" });
    expect((err as Error).message).toContain("ECONNREFUSED");
  });

  it("skips a missing /health (404) and fails fast on 401 from /v1/models", async () => {
    const base = await serve((req, res) => {
      res.statusCode = req.url === "/health" ? 404 : 200;
      res.end();
    });
    await expect(waitReady(base, { timeoutMs: 1000 })).resolves.toMatchObject({ attempts: 2 });
    const locked = await serve((req, res) => {
      res.statusCode = req.url === "/health" ? 200 : 401;
      res.end('{"error":"Unauthorized"}');
    });
    await expect(waitReady(locked, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: "E_UNREACHABLE",
      message: expect.stringMatching(/check the API key .*--api-key-env/) as unknown,
    });
  });
});
