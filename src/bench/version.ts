// Owns reading servebench's own version from package.json at run time.

import { readFileSync } from "node:fs";

let cached: string | undefined;

export function servebenchVersion(): string {
  if (cached === undefined) {
    // src/bench/ and dist/bench/ are both two levels below the package root.
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    cached = pkg.version ?? "0.0.0";
  }
  return cached;
}
