// One pass over a requests.jsonl: every whole record is handed over and copied unchanged,
// damaged and torn lines are counted and left out, whatever the read chunk size.

import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RequestRecord } from "../client/record.js";
import { copyAndParse } from "./record-stream.js";

const dir = mkdtempSync(join(tmpdir(), "sb-record-stream-"));

async function pass(text: string, chunkBytes: number): Promise<{ ids: string[]; copy: string; stats: Awaited<ReturnType<typeof copyAndParse>> }> {
  const src = join(dir, "in.jsonl");
  const dst = join(dir, "out.jsonl");
  writeFileSync(src, text);
  const fd = openSync(dst, "w");
  const ids: string[] = [];
  const stats = await copyAndParse(src, fd, (r: RequestRecord) => ids.push(r.id), chunkBytes);
  closeSync(fd);
  return { ids, copy: readFileSync(dst, "utf8"), stats };
}

const rec = (id: string): string => JSON.stringify({ id, level: 0, note: "ünïcode ✓" });

describe("copyAndParse", () => {
  it("hands over and copies whole records across every chunk size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 64 }),
        async (ids, chunkBytes) => {
          const text = ids.map((id) => `${rec(id)}\n`).join("");
          const got = await pass(text, chunkBytes);
          expect(got.ids).toEqual(ids);
          expect(got.copy).toBe(text);
          expect(got.stats).toEqual({ lines: ids.length, malformed: 0, bytes: Buffer.byteLength(text) });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("leaves out a damaged line and a torn tail, keeping a whole unterminated last record", async () => {
    for (const chunkBytes of [1, 7, 1 << 20]) {
      const damaged = await pass(`${rec("a")}\n{"id":"b",\n${rec("c")}\n{"id":"d"`, chunkBytes);
      expect(damaged.ids).toEqual(["a", "c"]);
      expect(damaged.copy).toBe(`${rec("a")}\n${rec("c")}\n`);
      expect(damaged.stats).toMatchObject({ lines: 4, malformed: 2, tornTail: true });
      const whole = await pass(`${rec("a")}\n${rec("b")}`, chunkBytes);
      expect(whole.ids).toEqual(["a", "b"]);
      expect(whole.copy).toBe(`${rec("a")}\n${rec("b")}\n`);
    }
  });
});
