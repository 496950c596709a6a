// Owns reading servebench's own version from package.json at run time.

import { existsSync, readFileSync } from "node:fs";

let cached: string | undefined;

export function servebenchVersion(): string {
  if (cached === undefined) {
    // src/run/ and dist/run/ are two levels below the package root; dist-bench/src/run/ (bench builds) three.
    const url = ["../../package.json", "../../../package.json"].map((p) => new URL(p, import.meta.url)).find((u) => existsSync(u));
    const pkg = url === undefined ? {} : (JSON.parse(readFileSync(url, "utf8")) as { version?: string });
    cached = pkg.version ?? "0.0.0";
  }
  return cached;
}
