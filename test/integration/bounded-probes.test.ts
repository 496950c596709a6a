// Start-up probes are bounded (issue 22): a total deadline however slowly a server trickles, a
// capped body however much it floods, and the caller's abort ends one at once.

import { afterEach, describe, expect, it } from "vitest";
import { probeRequest } from "../../src/client/probe-request.js";
import { startBrokenServer, type BrokenServer } from "../helpers/broken-server.js";

let server: BrokenServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const trickle = (): Promise<BrokenServer> =>
  startBrokenServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const timer = setInterval(() => res.write(" "), 20);
    res.on("close", () => clearInterval(timer));
  });

describe("probeRequest", () => {
  it("a trickling body ends at the total deadline (idle timers alone never fire)", async () => {
    server = await trickle();
    await expect(probeRequest(`${server.url}/v1/models`, { totalTimeoutMs: 300 })).rejects.toMatchObject({
      kind: "timeout",
      message: "no complete answer within 300 ms",
    });
  });

  it("a flooding body fails at the cap", async () => {
    server = await startBrokenServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const timer = setInterval(() => res.write(chunk), 1);
      res.on("close", () => clearInterval(timer));
    });
    await expect(probeRequest(`${server.url}/v1/models`, { totalTimeoutMs: 20_000, maxBodyBytes: 256 * 1024 })).rejects.toMatchObject({
      kind: "too_large",
      message: "the answer is larger than 256 KiB",
    });
  });

  it("the caller's abort ends it at once, as 'aborted'", async () => {
    server = await trickle();
    const controller = new AbortController();
    const pending = probeRequest(`${server.url}/v1/models`, { totalTimeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
  });

  it("nothing listening is a network failure with its errno", async () => {
    const dead = await startBrokenServer(() => {});
    await dead.close();
    await expect(probeRequest(`${dead.url}/health`, { totalTimeoutMs: 5000 })).rejects.toMatchObject({ kind: "network", errno: "ECONNREFUSED" });
  });

  it("a whole answer comes back with its status and body", async () => {
    server = await startBrokenServer((req, res) => {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("nope");
    });
    await expect(probeRequest(`${server.url}/version`, { totalTimeoutMs: 5000 })).resolves.toMatchObject({ status: 404, body: "nope" });
  });
});
