// Integration: the `existing` launcher benchmarks a server servebench does not manage, sends the
// reset request before every cell but the first on it, and never stops it.

import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/index.js";
import { loadPlanText } from "../../src/plan/load-plan.js";
import { runPlan } from "../../src/plan/run-plan.js";
import { tempDir } from "../helpers/plan.js";

const resets: string[] = [];
let proxy: Server;
let close: () => Promise<void>;

beforeAll(async () => {
  const sim = await startSimulator({ port: 0, model: "existing-model", ttftMs: 2, perTokenMs: 1 });
  const target = new URL(sim.url);
  // vLLM's POST /reset_prefix_cache in front of the simulator, which has no such route.
  proxy = createServer((req, res) => {
    if (req.url === "/reset_prefix_cache") {
      resets.push(req.method ?? "");
      res.end();
      return;
    }
    const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  close = async () => {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await sim.close();
  };
});
afterAll(() => close());

describe("existing launcher", () => {
  it("runs every cell against the URL and resets between cells", async () => {
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const plan = loadPlanText(
      `servers:\n  prod: { kind: existing, url: "${url}", reset: { path: /reset_prefix_cache }, health: false }\n` +
        `workloads:\n  w: { inputTokens: 16, outputTokens: 4, clientTokenCheck: false }\n` +
        `loads:\n  l: { concurrency: [1], requests: 2 }\nmatrix:\n  repeat: 3\n`,
      { file: "existing.yaml", planDir: "/tmp" },
    );
    const result = await runPlan(plan, { out: join(tempDir("plan-existing"), "out") });
    expect(result.cells.map((c) => [c.id, c.status])).toEqual([
      ["prod_r1", "complete"],
      ["prod_r2", "complete"],
      ["prod_r3", "complete"],
    ]);
    expect(resets).toEqual(["POST", "POST"]);
  });
});
