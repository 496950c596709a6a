import { describe, expect, it } from "vitest";
import { terminalText } from "./redact-console.js";

describe("console output", () => {
  it("drops escape sequences and control bytes a server sent, keeping servebench's clear-line", () => {
    expect(terminalText("\r\u001b[Klevel 0: model \u001b]0;pwned\u0007m\u001b[31mred\u0000\u009b2J ok\n")).toBe("\r\u001b[Klevel 0: model mred ok\n");
    expect(terminalText("a\tb\r\nc")).toBe("a\tb\r\nc");
    expect(terminalText("bidi \u202eevil")).toBe("bidi evil");
  });
});
