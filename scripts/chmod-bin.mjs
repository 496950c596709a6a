// Makes the built CLI entry executable, and links it as node_modules/.bin/servebench in a checkout,
// so `npx servebench` runs it at once (without the link npm exec first re-reads the whole installed
// tree, ~9 s here, before it finds the project's own bin).
import { chmodSync, existsSync, lstatSync, symlinkSync } from "node:fs";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const bin = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const binDir = new URL("../node_modules/.bin/", import.meta.url);
const link = new URL("servebench", binDir);
const linked = (() => {
  try {
    lstatSync(link);
    return true;
  } catch {
    return false;
  }
})();
// Only in a checkout (not when installed as somebody's dependency, where npm links the bin itself).
if (existsSync(bin) && existsSync(binDir) && !linked && basename(dirname(root)) !== "node_modules") {
  symlinkSync("../../dist/cli/main.js", link);
}
