// Writes docs/*.schema.json for summary.json, request records and env.json (npm run docs:schemas).
import { writeFileSync } from "node:fs";
import { PUBLISHED_SCHEMAS, renderJsonSchema } from "../dist/report/json-schemas.js";

for (const name of Object.keys(PUBLISHED_SCHEMAS)) writeFileSync(new URL(`../docs/${name}`, import.meta.url), renderJsonSchema(name));
