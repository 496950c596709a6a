// Makes the built CLI entry executable so `npx servebench` works from a fresh install.
import { chmodSync, existsSync } from "node:fs";
const bin = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);
