// Scale benchmark of `servebench report`: synthesises a 1,000,000-request run directory (ten
// levels, 64 output tokens each, telemetry), then times the built report in a fresh Node process
// and prints wall time, peak RSS and the size of report.html. Targets: < 15 s, < 1 GiB, < 10 MB.
// Run: npm run bench:report   (env REQUESTS=200000 for a quicker pass, KEEP=1 to keep the files,
// RUN_DIR=<kept>/run to time the report again on an existing run without synthesising).
// Runs compiled (dist-bench/bench/report-scale.js), timing the compiled report beside it.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticRun } from "./report-synth.js";

const requests = Number(process.env.REQUESTS ?? 1_000_000);
// Ten levels of 100k: aggregateLevel's Math.min(...records) overflows the stack past ~125k per level.
const concurrency = [4, 8, 16, 32, 48, 64, 96, 128, 192, 256];
const entry = fileURLToPath(new URL("../src/report/generate-report.js", import.meta.url));
if (!existsSync(entry)) throw new Error(`run the compiled benchmark (npm run bench:report): ${entry} is missing`);

const root = mkdtempSync(join(tmpdir(), "servebench-report-scale-"));
const runDir = process.env.RUN_DIR ?? join(root, "run");
const outDir = join(root, "report");
const t0 = performance.now();
if (process.env.RUN_DIR === undefined)
  writeSyntheticRun({
    dir: runDir,
    concurrency,
    requests: Math.ceil(requests / concurrency.length),
    inputTokens: 512,
    outputTokens: 64,
    tpotMs: 15,
    ttftMs: 80,
    maxBatch: 64,
    seed: 42,
    slo: "ttft_ms<=500,tpot_ms<=40",
    errorEvery: 997,
  });
const synthS = (performance.now() - t0) / 1000;
const jsonlMiB = statSync(join(runDir, "requests.jsonl")).size / 2 ** 20;

// A fresh process so peak RSS is the report's alone.
const script = `
const { generateReport } = await import(${JSON.stringify(entry)});
const t = performance.now();
const r = await generateReport({ paths: [${JSON.stringify(runDir)}], outDir: ${JSON.stringify(outDir)} });
const u = process.resourceUsage();
console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRssMiB: u.maxRSS / 1024, htmlBytes: r.htmlBytes, files: r.files.length }));
`;
const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
if (child.status !== 0) throw new Error(`report failed: ${child.stderr}`);
const m = JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}") as {
  seconds: number;
  cpuSeconds: number;
  maxRssMiB: number;
  htmlBytes: number;
  files: number;
};
const verdict = (ok: boolean): string => (ok ? "ok" : "OVER TARGET");
console.log(
  `${process.env.RUN_DIR ? "reused" : "synthesised"} ${requests.toLocaleString("en-US")} requests (requests.jsonl ${jsonlMiB.toFixed(0)} MiB) in ${synthS.toFixed(1)} s`,
);
// CPU time is what the report costs; wall time also shows whatever else the machine was doing.
console.log(
  `report: ${m.seconds.toFixed(2)} s wall, ${m.cpuSeconds.toFixed(2)} s CPU (target < 15 s: ${verdict(m.seconds < 15)}; load average ${loadavg()[0]?.toFixed(1)})`,
);
console.log(`peak RSS: ${m.maxRssMiB.toFixed(0)} MiB (target < 1024 MiB: ${verdict(m.maxRssMiB < 1024)})`);
console.log(`report.html: ${(m.htmlBytes / 2 ** 20).toFixed(2)} MiB (target < 10 MB: ${verdict(m.htmlBytes < 10e6)}), ${m.files} files written`);
if (process.env.KEEP === "1") console.log(`kept: ${root}`);
else rmSync(root, { recursive: true, force: true });
