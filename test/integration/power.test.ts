// GPU power without a GPU: a fake nvidia-smi on PATH and a DCGM exporter's recorded /metrics on
// loopback feed `--power`; every level then reports its watts and joules per output token.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { parseDcgmPower, parsePowerFlag, parseRocmPower, parseWattLines, levelEnergy } from "../../src/telemetry/power.js";

const DCGM = readFileSync(new URL("../fixtures/telemetry/dcgm-exporter.metrics.txt", import.meta.url), "utf8");
let work: string;
let dcgm: Server;
let dcgmUrl: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "servebench-power-"));
  // nvidia-smi --query-gpu=power.draw --format=csv,noheader,nounits, for two GPUs.
  writeFileSync(
    join(work, "nvidia-smi"),
    '#!/bin/sh\ncase "$*" in *power.draw*) printf "151.25\\n148.75\\n" ;; *) printf "NVIDIA H100 80GB HBM3, 550.54.15, 81559 MiB, Disabled\\n" ;; esac\n',
  );
  chmodSync(join(work, "nvidia-smi"), 0o755);
  dcgm = createServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(DCGM));
  await new Promise<void>((r) => dcgm.listen(0, "127.0.0.1", r));
  dcgmUrl = `http://127.0.0.1:${(dcgm.address() as AddressInfo).port}/metrics`;
});
afterAll(async () => {
  await new Promise((r) => dcgm.close(r));
  rmSync(work, { recursive: true, force: true });
});

const RUN = [
  "run",
  "--concurrency",
  "2",
  "--requests",
  "6",
  "--input-tokens",
  "32",
  "--output-tokens",
  "40",
  "--sim-per-token-ms",
  "40",
  "--metrics-interval",
  "200ms",
  "--quiet",
];

describe("power sources", () => {
  it("parses each tool's output", () => {
    expect(parseWattLines("151.25\n148.75\n[N/A]\n")).toEqual({ watts: 300, gpus: 2 });
    expect(parseDcgmPower(DCGM)).toEqual({ watts: 802, gpus: 2 });
    expect(parseRocmPower('{"card0": {"Current Socket Graphics Package Power (W)": "93.0"}, "card1": {"Average Graphics Package Power (W)": "7.0"}}')).toEqual({
      watts: 100,
      gpus: 2,
    });
    expect(() => parsePowerFlag("dcgm:nope")).toThrow(/--power/);
    const energy = levelEnergy(
      [
        { tMs: 5, watts: 300, gpus: 2 },
        { tMs: 15, watts: 100, gpus: 2 },
        { tMs: 50, watts: 999, gpus: 2 },
      ],
      0,
      20,
      2,
      400,
      { kind: "nvidia-smi" },
    );
    expect(energy).toEqual({ source: "nvidia-smi", samples: 2, gpus: 2, avg_power_w: 200, joules: 400, joules_per_output_token: 1 });
  });

  it("auto reads a local nvidia-smi (the target is on this machine)", async () => {
    const out = join(work, "smi");
    const r = await runCli([...RUN, "--out", out], { env: { PATH: `${work}${delimiter}${process.env["PATH"] ?? ""}` } });
    expect(r.code, r.stderr).toBe(0);
    const level = (
      JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
        levels: Array<{
          energy?: { avg_power_w: number; gpus: number; joules_per_output_token: number; source: string };
          output_tokens_total: number;
          duration_s: number;
        }>;
      }
    ).levels[0];
    expect(level?.energy).toMatchObject({ source: "nvidia-smi", avg_power_w: 300, gpus: 2 });
    expect(level?.energy?.joules_per_output_token).toBeCloseTo((300 * (level?.duration_s ?? 0)) / (level?.output_tokens_total ?? 1), 4);
    expect(readFileSync(join(out, "power.jsonl"), "utf8")).toMatch(/"watts":300/);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toMatch(/300 W, [\d.]+ J per output token/);
    expect(readFileSync(join(out, "summary.csv"), "utf8").split("\n")[0]).toMatch(/avg_power_w,joules_per_output_token/);
  });

  it("dcgm: sums a DCGM exporter's DCGM_FI_DEV_POWER_USAGE", async () => {
    const out = join(work, "dcgm");
    const r = await runCli([...RUN, "--out", out, "--power", `dcgm:${dcgmUrl}`]);
    expect(r.code, r.stderr).toBe(0);
    const level = (JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { levels: Array<{ energy?: { avg_power_w: number; gpus: number } }> })
      .levels[0];
    expect(level?.energy).toMatchObject({ avg_power_w: 802, gpus: 2 });
  });

  it("none, and auto without a GPU tool, report no energy", async () => {
    const out = join(work, "none");
    const r = await runCli([...RUN, "--out", out, "--power", "none"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, "summary.json"), "utf8")).not.toMatch(/"energy"/);
  });
});
