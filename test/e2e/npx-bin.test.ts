// End-to-end: in a checkout, `npm install` (its build) links the CLI as node_modules/.bin/servebench,
// so the README's `npx servebench run` runs the built CLI directly instead of npm exec first
// re-reading the whole installed tree.

import { spawnSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("npx servebench in a checkout", () => {
  it("finds the checkout's own bin, linked to the built CLI", () => {
    expect(realpathSync(`${root}node_modules/.bin/servebench`)).toBe(realpathSync(`${root}dist/cli/main.js`));
    const r = spawnSync("npx", ["--no", "--", "servebench", "--version"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    const { version } = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { version: string };
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  }, 70_000);
});
