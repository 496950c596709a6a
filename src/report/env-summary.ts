// Owns the environment record shown at the top of a report: when, where, on what hardware and
// software, against which server, read defensively from env.json (any field may be missing).

import type { DiscoveredRun } from "./discover.js";
import { targetText } from "./format.js";
import type { Table } from "./table.js";
import { ENDPOINT_PATHS } from "../workload/request-spec.js";

type Json = Record<string, unknown>;

function obj(v: unknown): Json | null {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null;
}

function str(v: unknown): string | null {
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return null;
}

function gpuText(gpu: Json | null): string | null {
  if (!gpu) return null;
  if (gpu.source === "absent") return "none found";
  const devices = Array.isArray(gpu.devices) ? (gpu.devices as unknown[]).map(obj).filter((d): d is Json => d !== null) : [];
  if (devices.length > 0) {
    const names = devices.map((d) => [str(d.name), d.memory_total_mib ? `${str(d.memory_total_mib)} MiB` : null, str(d.driver_version) ? `driver ${str(d.driver_version)}` : null].filter(Boolean).join(", "));
    const counts = new Map<string, number>();
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    return [...counts].map(([n, c]) => (c > 1 ? `${c} × ${n}` : n)).join("; ");
  }
  const raw = str(gpu.raw);
  return raw ? raw.trim().split("\n").slice(0, 4).join(" / ") : str(gpu.source);
}

/** [field, value] rows for one run; values are raw strings (escape before rendering). */
export function envRows(run: DiscoveredRun): Array<[string, string]> {
  const env = run.env ?? {};
  const info = run.summary.run;
  const os = obj(env.os);
  const cpu = obj(env.cpu);
  const target = obj(env.target);
  const memory = typeof env.memory_total_bytes === "number" ? `${(env.memory_total_bytes / 2 ** 30).toFixed(1)} GiB` : null;
  const version = target ? obj(target.version) : null;
  const rows: Array<[string, string | null]> = [
    ["started", str(env.started_at) ?? info.started_at],
    ["model", info.model],
    ["target", info.imported ? `imported from ${info.imported.source}` : targetText(info)],
    ["server version", str(target?.server_version) ?? (version ? (str(version.version) ?? str(version.build_info) ?? JSON.stringify(version)) : null)],
    ["server command", str(env.server_cmd)],
    ["workload", info.workload],
    ["endpoint", info.imported ? null : `/v1${ENDPOINT_PATHS[info.endpoint]}`],
    ["tokenizer", info.tokenizer],
    ["GPU", gpuText(obj(env.gpu))],
    ["host", str(env.hostname)],
    ["OS", os ? [str(os.type), str(os.release), str(os.arch)].filter(Boolean).join(" ") : null],
    ["CPU", cpu ? `${str(cpu.model) ?? "?"} × ${str(cpu.count) ?? "?"}` : null],
    ["memory", memory],
    ["Node", str(env.node_version)],
    ["servebench", [str(env.servebench_version) ?? run.summary.servebench_version, str(env.git_commit) ? `(git ${String(env.git_commit).slice(0, 12)})` : null].filter(Boolean).join(" ")],
    ["cell", Object.keys(run.dimensions).length > 0 ? Object.entries(run.dimensions).map(([k, v]) => `${k}=${v}`).join(", ") : null],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== null && r[1] !== "");
}

/**
 * The environment of many runs said once: the fields every run shares (one value), then one row
 * per run with only the fields that differ (the cell's dimensions are its label already).
 */
export function sharedEnvironment(runs: readonly DiscoveredRun[]): { shared: Table; differing: Table | null } {
  const perRun = runs.map((r) => new Map(envRows(r)));
  const fields: string[] = [];
  for (const rows of perRun) for (const k of rows.keys()) if (!fields.includes(k)) fields.push(k);
  const same = (f: string): boolean => new Set(perRun.map((rows) => rows.get(f) ?? "")).size === 1;
  const shared: Table = {
    id: "environment",
    title: runs.length === 1 ? "The run" : `Shared by all ${runs.length} runs`,
    columns: [
      { key: "field", title: "Field" },
      { key: "value", title: "Value" },
    ],
    rows: fields.filter(same).map((f) => [f, perRun[0]?.get(f) ?? ""]),
  };
  const varying = fields.filter((f) => !same(f) && f !== "cell");
  if (varying.length === 0) return { shared, differing: null };
  const differing: Table = {
    id: "environment-per-run",
    title: "Differs per run",
    columns: [{ key: "run", title: "Run" }, ...varying.map((f) => ({ key: f.replace(/\W+/g, "_"), title: f }))],
    rows: runs.map((r, i) => [r.label, ...varying.map((f) => perRun[i]?.get(f) ?? "")]),
  };
  return { shared, differing };
}
