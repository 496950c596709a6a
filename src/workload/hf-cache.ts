// Owns finding a tokenizer.json in the local Hugging Face hub cache. Read-only: never downloads.
// Layout: <hub>/models--<org>--<name>/{refs/main, snapshots/<rev>/tokenizer.json}.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where a model id was looked for, and the tokenizer.json found there (if any). */
export interface HfCacheLookup {
  snapshotsDir: string;
  tokenizerJsonPath: string | undefined;
}

/** `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`. */
export function hfHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env["HF_HUB_CACHE"]) return env["HF_HUB_CACHE"];
  if (env["HF_HOME"]) return join(env["HF_HOME"], "hub");
  if (env["XDG_CACHE_HOME"]) return join(env["XDG_CACHE_HOME"], "huggingface", "hub");
  return join(homedir(), ".cache", "huggingface", "hub");
}

/** True for strings shaped like `org/name` or `name` (what the Hub accepts as a repo id). */
export function looksLikeModelId(source: string): boolean {
  return /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(source) && !source.includes("..");
}

/**
 * Finds `tokenizer.json` for `modelId` in the hub cache: the snapshot `refs/main` points at
 * if it has one, otherwise the most recently modified snapshot that has one.
 */
export function findInHfCache(modelId: string, env: NodeJS.ProcessEnv = process.env): HfCacheLookup {
  const repoDir = join(hfHubCacheDir(env), `models--${modelId.split("/").join("--")}`);
  const snapshotsDir = join(repoDir, "snapshots");
  const candidates: string[] = [];
  const mainRef = readRef(join(repoDir, "refs", "main"));
  if (mainRef !== undefined) candidates.push(join(snapshotsDir, mainRef, "tokenizer.json"));
  candidates.push(...snapshotsByRecency(snapshotsDir).map((dir) => join(dir, "tokenizer.json")));
  const tokenizerJsonPath = candidates.find((path) => existsSync(path));
  return { snapshotsDir, tokenizerJsonPath };
}

function readRef(path: string): string | undefined {
  try {
    const ref = readFileSync(path, "utf8").trim();
    return /^[\w.-]+$/.test(ref) ? ref : undefined;
  } catch {
    return undefined;
  }
}

function snapshotsByRecency(snapshotsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(snapshotsDir);
  } catch {
    return [];
  }
  return names
    .map((name) => join(snapshotsDir, name))
    .map((dir) => ({ dir, mtimeMs: safeMtimeMs(dir) }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs)
    .map((entry) => entry.dir);
}

function safeMtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
