import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readWireFixture, sseFixtureNames } from "../../test/helpers/wire-server.js";
import { decodeSse, SseDecoder } from "./sse-decoder.js";

const bytes = (text: string): Buffer => Buffer.from(text, "utf8");

/** Splits `buf` at the given cut points (any order, duplicates allowed). */
function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const p of points) {
    pieces.push(buf.subarray(start, p));
    start = p;
  }
  pieces.push(buf.subarray(start));
  return pieces;
}

function oneByteReads(buf: Buffer): Buffer[] {
  return Array.from({ length: buf.length }, (_, i) => buf.subarray(i, i + 1));
}

function withLineEnding(buf: Buffer, eol: "\r\n" | "\r"): Buffer {
  return bytes(buf.toString("utf8").replace(/\n/g, eol));
}

describe("SseDecoder", () => {
  it("reads data with and without a space after the colon", () => {
    expect(decodeSse([bytes("data: a\n\ndata:b\n\ndata:  c\n\n")])).toEqual(["a", "b", " c"]);
  });

  it("joins multi-line data with LF and ignores comments and other fields", () => {
    const body = ": keep-alive\nevent: message\nid: 7\ndata: one\n:\ndata: two\nretry: 10\n\n";
    expect(decodeSse([bytes(body)])).toEqual(["one\ntwo"]);
  });

  it("treats a bare `data` line as an empty value and `database:` as another field", () => {
    expect(decodeSse([bytes("data\ndata: x\n\ndatabase: y\n\ndata:\n\n")])).toEqual(["\nx", ""]);
  });

  it("dispatches nothing for blank lines without data (keep-alives)", () => {
    expect(decodeSse([bytes(":\n\n\n\n: ping\n\n")])).toEqual([]);
  });

  it("accepts CRLF, CR and LF line endings, mixed", () => {
    expect(decodeSse([bytes("data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\n\n")])).toEqual(["a", "b", "c", "d"]);
  });

  it("does not see an extra blank line when CR and LF arrive in different reads", () => {
    expect(decodeSse([bytes("data: a\r"), bytes("\ndata: b\r\n\r"), bytes("\n")])).toEqual(["a\nb"]);
  });

  it("delivers a last event without its blank line, and an unterminated last line, at end", () => {
    expect(decodeSse([bytes("data: a\n\ndata: b\n")])).toEqual(["a", "b"]);
    expect(decodeSse([bytes("data: a\n\ndata: [DONE]")])).toEqual(["a", "[DONE]"]);
  });

  it("keeps multi-byte UTF-8 characters split across reads intact", () => {
    const body = bytes('data: {"text":"après 東京 🚀"}\n\n');
    expect(decodeSse(oneByteReads(body))).toEqual(['{"text":"après 東京 🚀"}']);
  });

  it("drops a UTF-8 BOM at the start of the stream only", () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(decodeSse([bom, bytes("data: a\n\n")])).toEqual(["a"]);
  });

  it("accepts plain Uint8Array reads and does not keep references to them", () => {
    const events: string[] = [];
    const decoder = new SseDecoder((d) => events.push(d));
    const read = new Uint8Array(bytes("data: he"));
    decoder.write(read);
    read.fill(0x7a); // a caller reusing its buffer must not corrupt the pending line
    decoder.write(new Uint8Array(bytes("llo\n\n")));
    decoder.end();
    expect(events).toEqual(["hello"]);
  });

  it("delivers events as soon as their blank line arrives, not at end", () => {
    const events: string[] = [];
    const decoder = new SseDecoder((d) => events.push(d));
    decoder.write(bytes("data: a\n"));
    expect(events).toEqual([]);
    decoder.write(bytes("\nda"));
    expect(events).toEqual(["a"]);
  });
});

describe("SseDecoder on every wire fixture", () => {
  const names = sseFixtureNames();

  it("finds the fixtures", () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
  });

  for (const name of names) {
    describe(name, () => {
      const body = readWireFixture(name);
      const whole = decodeSse([body]);

      it("yields one event per data line, each the text after `data:`", () => {
        const expected = body
          .toString("utf8")
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.replace(/^data: ?/, ""));
        expect(whole).toEqual(expected);
      });

      it("yields the same events for 1-byte reads and CRLF/CR framing", () => {
        expect(decodeSse(oneByteReads(body))).toEqual(whole);
        expect(decodeSse([withLineEnding(body, "\r\n")])).toEqual(whole);
        expect(decodeSse(oneByteReads(withLineEnding(body, "\r\n")))).toEqual(whole);
        expect(decodeSse([withLineEnding(body, "\r")])).toEqual(whole);
      });

      it("yields the same events for every split into reads (property)", () => {
        const crlf = withLineEnding(body, "\r\n");
        fc.assert(
          fc.property(fc.array(fc.nat(), { maxLength: 64 }), fc.boolean(), (cuts, useCrlf) => {
            const source = useCrlf ? crlf : body;
            expect(decodeSse(splitAt(source, cuts))).toEqual(whole);
          }),
          { numRuns: 150 },
        );
      });
    });
  }
});

describe("SseDecoder limits", () => {
  it("stops at a line longer than maxBytes, whatever the split, and holds no more of it", () => {
    const seen: Array<[string, number]> = [];
    const events: string[] = [];
    const d = new SseDecoder((e) => events.push(e), { maxBytes: 100, onTooLarge: (what, bytes) => seen.push([what, bytes]) });
    d.write(Buffer.from("data: ok\n\ndata: "));
    for (let i = 0; i < 20; i++) d.write(Buffer.from("y".repeat(10)));
    d.write(Buffer.from("\n\ndata: after\n\n"));
    d.end();
    expect(events).toEqual(["ok"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.[0]).toBe("line");
    expect(d.tooLarge).toBe(true);
  });

  it("bounds an event made of many short data lines", () => {
    const seen: string[] = [];
    const d = new SseDecoder(() => {}, { maxBytes: 50, onTooLarge: (what) => seen.push(what) });
    d.write(Buffer.from("data: 0123456789\n".repeat(10)));
    expect(seen).toEqual(["event"]);
  });

  it("lines up to the limit pass", () => {
    const events: string[] = [];
    const d = new SseDecoder((e) => events.push(e), { maxBytes: 100 });
    d.write(Buffer.from(`data: ${"z".repeat(94)}\n\n`));
    expect(events).toEqual(["z".repeat(94)]);
  });
});
