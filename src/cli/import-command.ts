// Owns `servebench import FILE.csv|json`: external results → run directories marked as
// imported (one per row), printed on stdout so they can be passed to report or compare.

import { basename, extname, join } from "node:path";
import { importExternal } from "../report/import-external.js";
import { EXIT } from "./exit-codes.js";

type Raw = Record<string, string | boolean | undefined>;

export function importCommand(file: string, raw: Raw): number {
  const outDir = typeof raw.out === "string" ? raw.out : join("imported", basename(file, extname(file)));
  const dirs = importExternal(file, outDir);
  process.stdout.write(`imported ${dirs.length} row${dirs.length === 1 ? "" : "s"} from ${file}:\n${dirs.map((d) => `  ${d}`).join("\n")}\n`);
  return EXIT.ok;
}
