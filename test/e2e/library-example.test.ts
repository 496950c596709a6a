// docs/examples/library.ts, the typed library example, compiles against the published types
// (`import … from "servebench"`, resolved to this package's dist) and runs: a benchmark from
// TypeScript whose typed summary and records read back.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

describe("the library example in docs/examples", () => {
  it("type-checks, compiles and runs, printing each level and the records it read back", async () => {
    await run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "docs", "examples", "tsconfig.json")], { cwd: root });
    const out = join(mkdtempSync(join(tmpdir(), "sb-library-")), "run");
    const { stdout } = await run(process.execPath, [join(root, "dist-examples", "library.js"), out], { cwd: root, timeout: 60_000 });
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^c=1 ttft_p50_ms=\d+\.\d output_tokens_per_s=\d+ completed=8$/);
    expect(lines[1]).toMatch(/^c=4 .* completed=8$/);
    expect(lines[2]).toBe("verdict=ok levels=2 records=16 chunks=256");
  }, 60_000);
});
