// Writes docs/cli.md from the built command tree (npm run docs:cli).
import { writeFileSync } from "node:fs";
import { renderCliReference } from "../dist/cli/cli-reference.js";

writeFileSync(new URL("../docs/cli.md", import.meta.url), renderCliReference());
