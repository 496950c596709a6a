// S3 shard storage against a tiny path-style S3 stand-in on 127.0.0.1: SigV4-signed PUT/GET,
// push a shard directory, pull shards back; a missing shard is left for merge to name.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullShards, pushDir, S3Store } from "../../src/k8s/s3-store.js";

const tmp = mkdtempSync(join(tmpdir(), "sb-s3-"));
const objects = new Map<string, Buffer>();
const auth: string[] = [];
let server: Server;
let endpoint = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    auth.push(String(req.headers["authorization"]));
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const key = decodeURIComponent(req.url ?? "");
      if (req.method === "PUT") {
        objects.set(key, Buffer.concat(chunks));
        res.writeHead(200).end();
      } else if (objects.has(key)) res.writeHead(200).end(objects.get(key));
      else res.writeHead(404).end("<Error><Code>NoSuchKey</Code></Error>");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

describe("S3 shard storage", () => {
  it("pushes a shard directory and pulls every shard back", async () => {
    const store = new S3Store({ endpoint, region: "us-east-1", accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" });
    const shard = join(tmp, "shard-0");
    mkdirSync(shard);
    for (const [name, body] of [
      ["shard.json", "{}"],
      ["summary.json", '{"levels":[]}'],
      ["requests.jsonl", '{"id":"0-0"}\n'],
    ])
      writeFileSync(join(shard, name as string), body as string);
    expect(await pushDir(store, shard, "s3://bench/runs/x/shard-0")).toBe(3);
    expect([...objects.keys()].sort()).toEqual([
      "/bench/runs/x/shard-0/requests.jsonl",
      "/bench/runs/x/shard-0/shard.json",
      "/bench/runs/x/shard-0/summary.json",
    ]);
    expect(auth.every((a) => a.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))).toBe(true);
    const dirs = await pullShards(store, "s3://bench/runs/x", 2, join(tmp, "pulled"), 0, async () => {});
    expect(readFileSync(join(dirs[0] as string, "requests.jsonl"), "utf8")).toBe('{"id":"0-0"}\n');
    expect(() => readFileSync(join(dirs[1] as string, "shard.json"))).toThrow();
  });
});
