// Owns making the CLI's own console output safe: every string written to stdout or stderr
// (progress, errors, warnings, tables, help) has its secrets redacted (redactText) and terminal
// escapes or control bytes a server sent removed, so neither a key nor a hostile model id's
// escape sequence reaches a terminal or a CI log. servebench's one escape (clear line) is kept.

import { redactText, registerSecret } from "../config/redact.js";
import { stripControls } from "../report/escape.js";

type Write = typeof process.stdout.write;

/** servebench's live progress line: carriage return + erase to end of line. */
const CLEAR_LINE = "\r\u001b[K";

/** A chunk as it may reach a terminal: controls stripped except \r\x1b[K, \r, \t and \n. */
export function terminalText(chunk: string): string {
  return chunk
    .split(CLEAR_LINE)
    .map((part) => part.split("\r").map(stripControls).join("\r"))
    .join(CLEAR_LINE);
}

function wrap(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const safe = (chunk: unknown, ...rest: unknown[]): boolean => original(typeof chunk === "string" ? terminalText(redactText(chunk)) : chunk, ...rest);
  stream.write = safe as Write;
}

/** Installs the safe writers once, and registers the default API key variable's value. */
export function redactConsole(env: Readonly<Record<string, string | undefined>>): void {
  registerSecret(env.OPENAI_API_KEY);
  wrap(process.stdout);
  wrap(process.stderr);
}
