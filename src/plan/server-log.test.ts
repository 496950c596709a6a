import { mkdtempSync, readFileSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { clearSecrets, registerSecret } from "../config/redact.js";
import { ServerLog, tailLines } from "./server-log.js";

const SECRET = "envsecret-PLANTED-7f3a";

describe("ServerLog: a server that logs its own arguments", () => {
  afterEach(() => clearSecrets());

  const logWithSecret = (): { dir: string; log: ServerLog } => {
    const dir = mkdtempSync(join(tmpdir(), "sb-server-log-"));
    const log = new ServerLog(join(dir, "server.log"));
    registerSecret(SECRET); // as a plan's ${env:…} value is
    appendFileSync(log.path, `INFO non-default args: {'api_key': '${SECRET}', 'port': 8000}\nINFO started ✓\n`);
    appendFileSync(log.path, `argv: vllm serve m --api-key sk-literal-abc123\n`);
    return { dir, log };
  };

  it("is owner-only while the server writes it", () => {
    const { log } = logWithSecret();
    expect(statSync(log.path).mode & 0o777).toBe(0o600);
  });

  it("never copies a secret into a cell's log, a failed start's copy or a tail", () => {
    const { dir, log } = logWithSecret();
    log.collect(join(dir, "cell.log"));
    log.copyAll(join(dir, "all.log"));
    for (const copy of [readFileSync(join(dir, "cell.log"), "utf8"), readFileSync(join(dir, "all.log"), "utf8"), tailLines(log.path, 5).join("\n")]) {
      expect(copy).not.toContain(SECRET);
      expect(copy).not.toContain("sk-literal-abc123");
      expect(copy).toContain("INFO started ✓");
    }
  });

  it("scrub redacts the file in place, keeping every other byte, across chunk boundaries", () => {
    const { log } = logWithSecret();
    // Several MiB of multi-byte text so lines and characters straddle the 4 MiB reads.
    const filler = "ünïcødé log line — ok\n".repeat(400_000);
    appendFileSync(log.path, filler + `late: --api-key ${SECRET}\n`);
    log.scrub();
    const text = readFileSync(log.path, "utf8");
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("sk-literal-abc123");
    expect(text).toContain(filler);
    expect(text.endsWith("late: --api-key [redacted]\n")).toBe(true);
    expect(statSync(log.path).mode & 0o777).toBe(0o600);
  });

  it("scrub leaves a clean file untouched", () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-server-log-"));
    writeFileSync(join(dir, "server.log"), "nothing secret\n");
    const log = new ServerLog(join(dir, "server.log"));
    log.scrub();
    expect(readFileSync(log.path, "utf8")).toBe("nothing secret\n");
  });
});
